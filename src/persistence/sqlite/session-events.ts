import type { ClaimedDelivery, DeliveryOutcome, DeliveryState, SessionEvent, SessionEventDelivery, SessionEventDraft, SessionEventStore } from '../../session/events/store.js';
import { newId } from '../../x/tokens.js';
import { gateWrites, type WriteGate, type WriteKinds } from './gate.js';
import { ms, statements, type DB, type Stmt } from './db.js';
import { SQLITE, type SqliteColumns } from '../sql/codec.js';
import { deliveryFromRow, eventFromRow, type DeliveryRow as DeliveryRowOf, type EventRow as EventRowOf } from '../sql/rows.js';

/** What a revoking statement returns when it may have to write events (the frozen `session` of §C.4.5). */
export interface OutboxSourceRow {
  id: string;
  identity_id: string;
  expires_at: number;
  authenticated_at: number;
  last_active_at: number;
  aal: string;
}

const iso = (v: number) => new Date(v).toISOString();

/**
 * Inserts one event per session that was still live at `occurredAt` (unexpired, and neither idle nor past
 * the absolute cap when those limits are on), and one pending delivery per receiver. The caller runs it
 * inside the transaction of the revoking statement.
 */
export function writeOutbox(q: (sql: string) => Stmt, draft: SessionEventDraft, rows: OutboxSourceRow[]): void {
  const at = ms(draft.occurredAt);
  const insertEvent = q(
    'INSERT INTO porta_session_events (id, cause_id, reason, initiator, session_id, identity_id, occurred_at, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertDelivery = q(
    "INSERT INTO porta_session_event_deliveries (id, event_id, receiver_id, state, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?)",
  );
  const idleBefore = draft.idleBefore ? ms(draft.idleBefore) : -Infinity;
  const authenticatedBefore = draft.authenticatedBefore ? ms(draft.authenticatedBefore) : -Infinity;
  for (const r of rows) {
    if (r.expires_at <= at || r.last_active_at <= idleBefore || r.authenticated_at <= authenticatedBefore) continue;
    const eventId = newId();
    const session = { id: r.id, authenticated_at: iso(r.authenticated_at), expires_at: iso(r.expires_at), authenticator_assurance_level: r.aal };
    insertEvent.run(eventId, draft.causeId, draft.reason, draft.initiator, r.id, r.identity_id, at, JSON.stringify(session));
    for (const receiver of draft.receiverIds) insertDelivery.run(newId(), eventId, receiver, at, at);
  }
}

type DeliveryRow = DeliveryRowOf<SqliteColumns>;
type EventRow = EventRowOf<SqliteColumns>;

const DELIVERY_COLUMNS = 'd.id, d.event_id, d.receiver_id, d.state, d.attempts, d.next_attempt_at, d.lease_until, d.last_status, d.last_error, d.created_at, d.delivered_at';
const EVENT_COLUMNS =
  'e.cause_id AS e_cause_id, e.reason AS e_reason, e.initiator AS e_initiator, e.session_id AS e_session_id, e.identity_id AS e_identity_id, e.occurred_at AS e_occurred_at, e.session AS e_session';

const deliveryOf = (r: DeliveryRow): SessionEventDelivery => deliveryFromRow(SQLITE, r);
const eventOf = (r: DeliveryRow & EventRow): SessionEvent => eventFromRow(SQLITE, r);

const FINAL = "('delivered', 'failed', 'expired', 'orphaned')";

const SESSION_EVENT_ACCESS: WriteKinds<SessionEventStore> = {
  claimDue: 'write',
  finish: 'write',
  listDeliveries: 'read',
  retryDelivery: 'write',
  deleteFinishedEvents: 'write',
};

export class SqliteSessionEventStore implements SessionEventStore {
  private readonly q;

  constructor(
    db: DB,
    gate: WriteGate,
  ) {
    this.q = statements(db);
    gateWrites<SessionEventStore>(this, gate, SESSION_EVENT_ACCESS);
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
    const t = ms(now);
    // One write statement: SQLite serialises writers, so two processes on one file never claim the same row.
    const ids = this.q(
      "UPDATE porta_session_event_deliveries SET lease_until = ?, attempts = attempts + 1 WHERE id IN (SELECT id FROM porta_session_event_deliveries WHERE state = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at LIMIT ?) RETURNING id",
    )
      .all(ms(leaseUntil), t, t, limit)
      .map((r) => (r as { id: string }).id);
    if (ids.length === 0) return [];
    const rows = this.q(
      `SELECT ${DELIVERY_COLUMNS}, ${EVENT_COLUMNS} FROM porta_session_event_deliveries d JOIN porta_session_events e ON e.id = d.event_id WHERE d.id IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(ids)) as Array<DeliveryRow & EventRow>;
    return rows.map((r) => ({ delivery: deliveryOf(r), event: eventOf(r) }));
  }

  async finish(id: string, o: DeliveryOutcome, now: Date): Promise<void> {
    if (o.state === 'delivered') {
      this.q("UPDATE porta_session_event_deliveries SET state = 'delivered', delivered_at = ?, last_status = ?, last_error = NULL, lease_until = NULL WHERE id = ?").run(
        ms(now),
        o.status,
        id,
      );
    } else if (o.state === 'pending') {
      this.q("UPDATE porta_session_event_deliveries SET next_attempt_at = ?, last_status = ?, last_error = ?, lease_until = NULL WHERE id = ? AND state = 'pending'").run(
        ms(o.nextAttemptAt),
        o.status,
        o.error,
        id,
      );
    } else {
      this.q('UPDATE porta_session_event_deliveries SET state = ?, last_status = ?, last_error = ?, lease_until = NULL, attempts = attempts - ? WHERE id = ?').run(
        o.state,
        o.status,
        o.error,
        o.unsent ? 1 : 0,
        id,
      );
    }
  }

  async listDeliveries(query: { receiverId?: string; state?: DeliveryState; limit: number; afterId?: string }): Promise<SessionEventDelivery[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (clause: string, v: unknown) => {
      where.push(clause);
      args.push(v);
    };
    if (query.receiverId !== undefined) add('d.receiver_id = ?', query.receiverId);
    if (query.state !== undefined) add('d.state = ?', query.state);
    if (query.afterId !== undefined) add('d.id > ?', query.afterId);
    args.push(query.limit);
    const sql = `SELECT ${DELIVERY_COLUMNS} FROM porta_session_event_deliveries d${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY d.id LIMIT ?`;
    return (this.q(sql).all(...args) as DeliveryRow[]).map(deliveryOf);
  }

  async retryDelivery(id: string, now: Date): Promise<'ok' | 'missing' | 'delivered'> {
    const row = this.q('SELECT state FROM porta_session_event_deliveries WHERE id = ?').get(id) as { state: string } | undefined;
    if (!row) return 'missing';
    if (row.state === 'delivered') return 'delivered';
    this.q("UPDATE porta_session_event_deliveries SET state = 'pending', next_attempt_at = ?, lease_until = NULL WHERE id = ? AND state != 'delivered'").run(ms(now), id);
    return 'ok';
  }

  async deleteFinishedEvents(before: Date, limit: number): Promise<number> {
    return this.q(
      `DELETE FROM porta_session_events WHERE id IN (SELECT e.id FROM porta_session_events e WHERE e.occurred_at < ? AND NOT EXISTS (SELECT 1 FROM porta_session_event_deliveries d WHERE d.event_id = e.id AND d.state NOT IN ${FINAL}) LIMIT ?)`,
    ).run(ms(before), limit).changes;
  }
}
