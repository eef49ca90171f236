import type pg from 'pg';
import type { ClaimedDelivery, DeliveryOutcome, DeliveryState, SessionEvent, SessionEventDelivery, SessionEventDraft, SessionEventStore } from '../../session/events/store.js';
import { isUuid } from '../codec.js';
import { PG, type PgColumns } from '../sql/codec.js';
import { deliveryFromRow, eventFromRow, type DeliveryRow as DeliveryRowOf, type EventRow as EventRowOf } from '../sql/rows.js';

/** The columns a revoking CTE `u` returns when events may be written from it. */
export const OUTBOX_SOURCE_COLUMNS = 'id, identity_id, expires_at, authenticated_at, last_active_at, aal';

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const utc = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', ${ISO})`;

/**
 * The CTEs that turn the rows of a revoking CTE `u` into events and deliveries inside the same statement
 * (`first` is the number of the first placeholder they use; `activeOnly` for DELETEs, whose RETURNING
 * includes rows that were already inactive). Only sessions live at `occurred_at` get an event: unexpired,
 * and neither idle nor past the absolute cap when those limits are on (their cut-offs are NULL when off).
 */
export function outboxCtes(first: number, activeOnly: boolean): string {
  const [cause, reason, initiator, at, receivers, idle, authenticated] = [0, 1, 2, 3, 4, 5, 6].map((i) => `$${first + i}`);
  return (
    `, ev AS (INSERT INTO porta_session_events (id, cause_id, reason, initiator, session_id, identity_id, occurred_at, session) ` +
    `SELECT gen_random_uuid(), ${cause}::uuid, ${reason}::text, ${initiator}::text, u.id, u.identity_id, ${at}::timestamptz, ` +
    `json_build_object('id', u.id, 'authenticated_at', ${utc('u.authenticated_at')}, 'expires_at', ${utc('u.expires_at')}, 'authenticator_assurance_level', u.aal) ` +
    `FROM u WHERE u.expires_at > ${at}::timestamptz${activeOnly ? ' AND u.active' : ''} ` +
    `AND (${idle}::timestamptz IS NULL OR u.last_active_at > ${idle}::timestamptz) ` +
    `AND (${authenticated}::timestamptz IS NULL OR u.authenticated_at > ${authenticated}::timestamptz) RETURNING id), ` +
    `dl AS (INSERT INTO porta_session_event_deliveries (id, event_id, receiver_id, state, attempts, next_attempt_at, created_at) ` +
    `SELECT gen_random_uuid(), ev.id, r.rid, 'pending', 0, ${at}::timestamptz, ${at}::timestamptz FROM ev CROSS JOIN unnest(${receivers}::text[]) AS r(rid)) `
  );
}

export const outboxValues = (d: SessionEventDraft): unknown[] => [
  d.causeId,
  d.reason,
  d.initiator,
  d.occurredAt,
  [...d.receiverIds],
  d.idleBefore ?? null,
  d.authenticatedBefore ?? null,
];

type Row = DeliveryRowOf<PgColumns> & EventRowOf<PgColumns>;

const DELIVERY_COLUMNS = 'd.id, d.event_id, d.receiver_id, d.state, d.attempts, d.next_attempt_at, d.lease_until, d.last_status, d.last_error, d.created_at, d.delivered_at';
const EVENT_COLUMNS =
  'e.cause_id AS e_cause_id, e.reason AS e_reason, e.initiator AS e_initiator, e.session_id AS e_session_id, e.identity_id AS e_identity_id, e.occurred_at AS e_occurred_at, e.session AS e_session';

const deliveryOf = (r: Row): SessionEventDelivery => deliveryFromRow(PG, r);
const eventOf = (r: Row): SessionEvent => eventFromRow(PG, r);

export class PgSessionEventStore implements SessionEventStore {
  constructor(private readonly pool: pg.Pool) {}

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
    // SKIP LOCKED: concurrent dispatchers each take different rows instead of queueing on the same ones.
    const r = await this.pool.query<Row>(
      `WITH c AS (SELECT id FROM porta_session_event_deliveries WHERE state = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1) ` +
        `ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED), ` +
        `d AS (UPDATE porta_session_event_deliveries x SET lease_until = $2, attempts = x.attempts + 1 FROM c WHERE x.id = c.id RETURNING x.*) ` +
        `SELECT ${DELIVERY_COLUMNS}, ${EVENT_COLUMNS} FROM d JOIN porta_session_events e ON e.id = d.event_id`,
      [now, leaseUntil, limit],
    );
    return r.rows.map((row) => ({ delivery: deliveryOf(row), event: eventOf(row) }));
  }

  async finish(id: string, o: DeliveryOutcome, now: Date): Promise<void> {
    if (o.state === 'delivered') {
      await this.pool.query(
        "UPDATE porta_session_event_deliveries SET state = 'delivered', delivered_at = $1, last_status = $2, last_error = NULL, lease_until = NULL WHERE id = $3",
        [now, o.status, id],
      );
    } else if (o.state === 'pending') {
      await this.pool.query(
        "UPDATE porta_session_event_deliveries SET next_attempt_at = $1, last_status = $2, last_error = $3, lease_until = NULL WHERE id = $4 AND state = 'pending'",
        [o.nextAttemptAt, o.status, o.error, id],
      );
    } else {
      await this.pool.query('UPDATE porta_session_event_deliveries SET state = $1, last_status = $2, last_error = $3, lease_until = NULL, attempts = attempts - $4 WHERE id = $5', [
        o.state,
        o.status,
        o.error,
        o.unsent ? 1 : 0,
        id,
      ]);
    }
  }

  async listDeliveries(query: { receiverId?: string; state?: DeliveryState; limit: number; afterId?: string }): Promise<SessionEventDelivery[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => `$${args.push(v)}`;
    if (query.receiverId !== undefined) where.push(`d.receiver_id = ${arg(query.receiverId)}`);
    if (query.state !== undefined) where.push(`d.state = ${arg(query.state)}`);
    if (query.afterId !== undefined) {
      if (!isUuid(query.afterId)) return [];
      where.push(`d.id > ${arg(query.afterId)}`);
    }
    const sql = `SELECT ${DELIVERY_COLUMNS} FROM porta_session_event_deliveries d${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY d.id LIMIT ${arg(query.limit)}`;
    return (await this.pool.query<Row>(sql, args)).rows.map(deliveryOf);
  }

  async retryDelivery(id: string, now: Date): Promise<'ok' | 'missing' | 'delivered'> {
    if (!isUuid(id)) return 'missing';
    const r = await this.pool.query<{ state: string }>(
      "WITH u AS (UPDATE porta_session_event_deliveries SET state = 'pending', next_attempt_at = $2, lease_until = NULL WHERE id = $1 AND state != 'delivered' RETURNING id) " +
        'SELECT d.state, EXISTS (SELECT 1 FROM u) AS updated FROM porta_session_event_deliveries d WHERE d.id = $1',
      [id, now],
    );
    const row = r.rows[0] as { state: string; updated: boolean } | undefined;
    if (!row) return 'missing';
    return row.updated ? 'ok' : 'delivered';
  }

  async deleteFinishedEvents(before: Date, limit: number): Promise<number> {
    const r = await this.pool.query(
      "DELETE FROM porta_session_events WHERE id IN (SELECT e.id FROM porta_session_events e WHERE e.occurred_at < $1 AND NOT EXISTS (SELECT 1 FROM porta_session_event_deliveries d WHERE d.event_id = e.id AND d.state NOT IN ('delivered', 'failed', 'expired', 'orphaned')) LIMIT $2)",
      [before, limit],
    );
    return r.rowCount ?? 0;
  }
}
