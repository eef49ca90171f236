import type { Logger } from 'pino';
import type { EndedSessionRow, EndedSessionsSink } from './store.js';
import type { SessionEventDraft } from './events/store.js';
import { newId } from '../x/tokens.js';

/**
 * Why sessions ended, with who started it: the `reason` and `initiator` columns of the session-event
 * table (hooks-and-session-events-spec §C.4.1). A new way to end sessions adds one line here.
 */
export const REVOKE_INITIATORS = {
  self_service_logout: 'user',
  self_service_revoke: 'user',
  self_service_revoke_others: 'user',
  admin_disable_session: 'admin',
  admin_delete_identity_sessions: 'admin',
  identity_deleted: 'admin',
  identity_disabled: 'admin',
  // The `revoke_active_sessions` hook: after a settings change the person changed a credential; after a
  // login it is the operator's policy (one session per identity) that ends the others.
  credential_change: 'user',
  revoke_active_sessions: 'policy',
  // An operator set a new password or removed a credential through the admin API (the future settings
  // flow's `credential_change` is the user's own, so the admin's gets its own reason and initiator).
  admin_credential_change: 'admin',
} as const satisfies Record<string, RevokeInitiator>;

export type RevokeReason = keyof typeof REVOKE_INITIATORS;
export type RevokeInitiator = 'user' | 'admin' | 'policy';

/**
 * One in-process notification per revoke call that ended at least one session: only sessions that were
 * active and unexpired until the call are named, so a repeated logout or an already revoked or expired
 * session produces nothing. Frozen: every listener sees the same facts.
 */
export interface SessionRevokedEvent {
  readonly type: 'session.revoked';
  readonly identityId: string;
  readonly sessionIds: readonly string[];
  readonly reason: RevokeReason;
  readonly initiator: RevokeInitiator;
  /** Shared by every session (and event) of one call: the SET `txn` / event `cause_id` later. */
  readonly causeId: string;
  readonly occurredAt: Date;
}

/** May be async; neither a throw nor a rejection reaches the request that ended the session. */
export type SessionRevokedListener = (event: SessionRevokedEvent) => void | Promise<void>;

/**
 * The receivers (ids) a session event of this reason goes to; empty or undefined when none is configured,
 * and then the store writes no event and runs exactly the statement it runs without the feature.
 */
export type OutboxRouting = (reason: RevokeReason) => readonly string[] | undefined;

/** What one revoke call ended: the ids named by its notification (empty when it ended nothing). */
export interface Ended {
  ended: string[];
}

/**
 * The notification side of every revoke: hands the store a sink, keeps what the revoking statement
 * reports, drops sessions that had already expired (or gone idle), and notifies the listeners. With no listener it
 * builds nothing, so the hot paths cost what they did.
 */
export class RevocationNotifier {
  private readonly listeners = new Set<SessionRevokedListener>();

  /**
   * `isLive` says whether a session was still usable until the revoke (default: unexpired); the session
   * manager passes its limits, so a session already over by idleness or the absolute cap produces nothing.
   * `outbox` names the session-event receivers of a reason (none: nothing is written).
   */
  constructor(
    private readonly logger: Pick<Logger, 'error'>,
    private readonly isLive: (row: EndedSessionRow, now: number) => boolean = (row, now) => row.expiresAt.getTime() > now,
    private readonly outbox: OutboxRouting = () => undefined,
    private readonly cutoffs: (now: number) => Pick<SessionEventDraft, 'idleBefore' | 'authenticatedBefore'> = () => ({}),
  ) {}

  /** Subscribes; returns the unsubscribe. Subscribing one function twice gives two subscriptions. */
  onRevoked(listener: SessionRevokedListener): () => void {
    const entry: SessionRevokedListener = (e) => listener(e);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /** Runs one revoking store operation with a sink, then notifies what it ended, once. */
  async run<T>(reason: RevokeReason, work: (sink: EndedSessionsSink) => Promise<T>): Promise<{ result: T } & Ended> {
    const rows: EndedSessionRow[] = [];
    // One instant for the store's event rows and the notification: both count a session as ended
    // only if it was unexpired at that instant.
    const now = Date.now();
    const receiverIds = this.outbox(reason);
    // A cause id only when something records or hears it: with no receivers and no listeners, a logout
    // does no work here beyond its store call.
    const draft: SessionEventDraft | undefined =
      receiverIds && receiverIds.length > 0
        ? { causeId: newId(), reason, initiator: REVOKE_INITIATORS[reason], occurredAt: new Date(now), receiverIds, ...this.cutoffs(now) }
        : undefined;
    const sink: EndedSessionsSink = Object.assign(
      (ended: EndedSessionRow[]) => {
        rows.push(...ended);
      },
      draft ? { outbox: draft } : {},
    );
    const result = await work(sink);
    const live = rows.filter((r) => this.isLive(r, now));
    if (live.length > 0 && this.listeners.size > 0) this.notify(reason, live, new Date(now), draft?.causeId ?? newId());
    return { result, ended: live.map((r) => r.id) };
  }

  private notify(reason: RevokeReason, rows: EndedSessionRow[], occurredAt: Date, causeId: string): void {
    // Every path ends sessions of one identity; grouping keeps "one identity per event" true regardless.
    const byIdentity = new Map<string, string[]>();
    for (const r of rows) {
      const ids = byIdentity.get(r.identityId);
      if (ids) ids.push(r.id);
      else byIdentity.set(r.identityId, [r.id]);
    }
    for (const [identityId, sessionIds] of byIdentity) {
      const event: SessionRevokedEvent = Object.freeze({
        type: 'session.revoked',
        identityId,
        sessionIds: Object.freeze(sessionIds),
        reason,
        initiator: REVOKE_INITIATORS[reason],
        causeId,
        occurredAt,
      });
      for (const listener of [...this.listeners]) this.deliver(listener, event);
    }
  }

  private deliver(listener: SessionRevokedListener, event: SessionRevokedEvent): void {
    const failed = (err: unknown) =>
      this.logger.error({ err, reason: event.reason, causeId: event.causeId, identityId: event.identityId }, 'a session.revoked listener failed');
    try {
      const pending = listener(event);
      if (pending && typeof pending.then === 'function') pending.then(undefined, failed);
    } catch (err) {
      failed(err);
    }
  }
}
