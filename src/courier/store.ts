import type { ClaimedMessage, CourierDispatch, CourierMessage, MessageStatus, NewCourierMessage } from './message.js';

export interface ListMessagesQuery {
  status?: MessageStatus;
  /** Exact match. */
  recipient?: string;
  limit: number;
  /** Keyset position: messages after this one in (created_at DESC, id ASC) order. */
  after?: { createdAt: Date; id: string };
}

export interface ClaimOptions {
  limit: number;
  /** How long the claim holds; a message still `processing` after it is claimable again (its worker died). */
  leaseMs: number;
}

/** The outcome of one delivery attempt, reported by the worker that holds the claim. */
export type DeliveryOutcome =
  | { kind: 'sent' }
  | { kind: 'retry'; error: Record<string, unknown>; notBefore: Date }
  | { kind: 'abandon'; error: Record<string, unknown> | null }
  /** Not attempted (the worker is stopping): back to queued, the claim not counted, no dispatch. */
  | { kind: 'release' };

/**
 * Courier storage. Producers (flows) only insert; workers claim, deliver and report.
 *
 * Transactions: `enqueue` writes in its own transaction. A flow store that must write messages in the same
 * transaction as its own change (verification, recovery) calls the dialect's insert helper with its open
 * transaction instead: `insertCourierMessagesSqlite(db, messages)` (inside a better-sqlite3 transaction) or
 * `insertCourierMessagesPg(client, messages)` (with the pg client that ran BEGIN), both in src/persistence.
 */
export interface CourierStore {
  enqueue(messages: NewCourierMessage[]): Promise<void>;
  /**
   * Atomically moves up to `limit` due messages (queued and due, or processing with an expired lease) to
   * `processing`, increments their send_count and returns them with a fresh claim token. Concurrent callers
   * never receive the same message while its lease holds.
   */
  claim(opts: ClaimOptions): Promise<ClaimedMessage[]>;
  /**
   * Applies the outcome and writes its dispatch row, only if the claim is still this worker's (status
   * processing, same claim token). Returns false when the claim was lost (the lease expired and another
   * worker took the message).
   */
  complete(message: ClaimedMessage, outcome: DeliveryOutcome): Promise<boolean>;
  getMessage(id: string): Promise<CourierMessage | null>;
  /** Newest first. */
  listDispatches(messageId: string): Promise<CourierDispatch[]>;
  /** Up to `limit` messages in (created_at DESC, id) order; callers ask for one more to detect a next page. */
  listMessages(query: ListMessagesQuery): Promise<CourierMessage[]>;
}
