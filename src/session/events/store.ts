/**
 * What the store writes to the session-event outbox, in the same transaction (PostgreSQL: the same
 * statement) as the revocation: one event per ended session that was unexpired at `occurredAt`, and one
 * pending delivery per receiver. Present on the sink only while receivers are configured.
 */
export interface SessionEventDraft {
  causeId: string;
  reason: string;
  initiator: string;
  occurredAt: Date;
  receiverIds: readonly string[];
  /**
   * Porta's session limits at `occurredAt`: a session last used at or before `idleBefore`, or
   * authenticated at or before `authenticatedBefore`, was already over, so its revocation ends nothing
   * and writes no event (the in-process notification drops it the same way). Undefined when off.
   */
  idleBefore?: Date;
  authenticatedBefore?: Date;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'expired' | 'orphaned';

/** One row of porta_session_event_deliveries (hooks-and-session-events-spec §C.4.3). */
export interface SessionEventDelivery {
  id: string;
  eventId: string;
  receiverId: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** The frozen event a delivery carries. */
export interface SessionEvent {
  id: string;
  causeId: string;
  reason: string;
  initiator: string;
  sessionId: string;
  identityId: string;
  occurredAt: Date;
  session: { id: string; authenticated_at: string; expires_at: string; authenticator_assurance_level: string };
}

export interface ClaimedDelivery {
  delivery: SessionEventDelivery;
  event: SessionEvent;
}

/** What an attempt came to: delivered, retry at `nextAttemptAt`, or a final state. */
export type DeliveryOutcome =
  | { state: 'delivered'; status: number }
  | { state: 'pending'; nextAttemptAt: Date; status: number | null; error: string | null }
  | {
      state: 'failed' | 'expired' | 'orphaned';
      status: number | null;
      error: string | null;
      /** Ended at the claim with nothing sent: the attempt the claim counted is taken back. */
      unsent?: boolean;
    };

/** The outbox as the dispatcher and the admin routes see it. */
export interface SessionEventStore {
  /**
   * Takes up to `limit` due deliveries (pending, due, lease free or lapsed) by setting their lease, so
   * no other process sends them until `leaseUntil`; `attempts` counts this attempt.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]>;
  /** Records an attempt's outcome and frees the lease. */
  finish(id: string, outcome: DeliveryOutcome, now: Date): Promise<void>;
  listDeliveries(query: { receiverId?: string; state?: DeliveryState; limit: number; afterId?: string }): Promise<SessionEventDelivery[]>;
  /** pending and due now; 'delivered' when it was delivered already (nothing changed). */
  retryDelivery(id: string, now: Date): Promise<'ok' | 'missing' | 'delivered'>;
  /** Deletes events older than `before` whose deliveries are all final; returns how many. */
  deleteFinishedEvents(before: Date, limit: number): Promise<number>;
}
