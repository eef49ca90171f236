import { randomUUID } from 'node:crypto';
import type { ClaimedMessage, CourierDispatch, CourierMessage, NewCourierMessage } from '../../courier/message.js';
import type { ClaimOptions, CourierStore, DeliveryOutcome, ListMessagesQuery } from '../../courier/store.js';
import { gateWrites, type WriteGate, type WriteKinds } from './gate.js';
import { dateOf, statements, type DB } from './db.js';
import { SQLITE, type SqliteColumns } from '../sql/codec.js';
import { messageFromRow, type MessageRow as MessageRowOf } from '../sql/rows.js';

type MessageRow = MessageRowOf<SqliteColumns> & { claim_token: string | null };

interface DispatchRow {
  id: string;
  message_id: string;
  status: string;
  error: string | null;
  created_at: number;
  updated_at: number;
}

const fromRow = (r: MessageRow): CourierMessage => messageFromRow(SQLITE, r);

const INSERT =
  "INSERT INTO courier_messages (id, type, channel, status, recipient, subject, body, template_type, template_data, send_count, next_attempt_at, created_at, updated_at) VALUES (?, 'email', 'email', 'queued', ?, ?, ?, ?, ?, 0, ?, ?, ?)";

/**
 * Inserts queued messages with the caller's connection. Call it inside an open better-sqlite3 transaction
 * (`db.transaction(() => { ...flow write...; insertCourierMessagesSqlite(db, msgs) })`) to queue mail
 * atomically with a flow change.
 */
export function insertCourierMessagesSqlite(db: DB, messages: NewCourierMessage[]): void {
  const stmt = db.prepare(INSERT);
  const now = Date.now();
  for (const m of messages) stmt.run(m.id, m.recipient, m.subject, m.body, m.templateType, JSON.stringify(m.templateData), now, now, now);
}

const COURIER_ACCESS: WriteKinds<CourierStore> = {
  enqueue: 'write',
  claim: 'write',
  complete: 'write',
  getMessage: 'read',
  listDispatches: 'read',
  listMessages: 'read',
};

export class SqliteCourierStore implements CourierStore {
  private readonly q;

  constructor(
    private readonly db: DB,
    gate: WriteGate,
  ) {
    this.q = statements(db);
    gateWrites<CourierStore>(this, gate, COURIER_ACCESS);
  }

  async enqueue(messages: NewCourierMessage[]): Promise<void> {
    if (messages.length === 0) return;
    this.db.transaction(() => insertCourierMessagesSqlite(this.db, messages)).immediate();
  }

  async claim({ limit, leaseMs }: ClaimOptions): Promise<ClaimedMessage[]> {
    const now = Date.now();
    const token = randomUUID();
    // One statement under SQLite's write lock: two processes on one file can never claim the same row.
    const rows = this.q(
      `UPDATE courier_messages SET status = 'processing', send_count = send_count + 1, lease_until = ?, claim_token = ?, updated_at = ?
       WHERE id IN (SELECT id FROM courier_messages
                    WHERE (status = 'queued' AND next_attempt_at <= ?) OR (status = 'processing' AND lease_until <= ?)
                    ORDER BY created_at, id LIMIT ?)
       RETURNING *`,
    ).all(now + leaseMs, token, now, now, now, limit) as MessageRow[];
    return rows
      .map((r) => ({ ...fromRow(r), claimToken: token }))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  }

  async complete(m: ClaimedMessage, outcome: DeliveryOutcome): Promise<boolean> {
    const now = Date.now();
    const status = outcome.kind === 'sent' ? 'sent' : outcome.kind === 'abandon' ? 'abandoned' : 'queued';
    const next = outcome.kind === 'retry' ? outcome.notBefore.getTime() : now;
    const error = outcome.kind === 'retry' || outcome.kind === 'abandon' ? outcome.error : null;
    const uncount = outcome.kind === 'release' ? 1 : 0;
    return this.db
      .transaction(() => {
        const changed = this.q(
          `UPDATE courier_messages SET status = ?, next_attempt_at = ?, send_count = send_count - ?, lease_until = NULL, claim_token = NULL, updated_at = ?
           WHERE id = ? AND status = 'processing' AND claim_token = ?`,
        ).run(status, next, uncount, now, m.id, m.claimToken).changes;
        if (changed === 0) return false;
        if (outcome.kind === 'sent' || error) {
          this.q('INSERT INTO courier_message_dispatches (id, message_id, status, error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(
            randomUUID(),
            m.id,
            outcome.kind === 'sent' ? 'success' : 'failed',
            error ? JSON.stringify(error) : null,
            now,
            now,
          );
        }
        return true;
      })
      .immediate();
  }

  async getMessage(id: string): Promise<CourierMessage | null> {
    const row = this.q('SELECT * FROM courier_messages WHERE id = ?').get(id) as MessageRow | undefined;
    return row ? fromRow(row) : null;
  }

  async listDispatches(messageId: string): Promise<CourierDispatch[]> {
    const rows = this.q('SELECT * FROM courier_message_dispatches WHERE message_id = ? ORDER BY created_at DESC, rowid DESC').all(messageId) as DispatchRow[];
    return rows.map((r) => ({
      id: r.id,
      messageId: r.message_id,
      status: r.status as CourierDispatch['status'],
      error: r.error ? (JSON.parse(r.error) as Record<string, unknown>) : null,
      createdAt: dateOf(r.created_at),
      updatedAt: dateOf(r.updated_at),
    }));
  }

  async listMessages(query: ListMessagesQuery): Promise<CourierMessage[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.status) {
      where.push('status = ?');
      args.push(query.status);
    }
    if (query.recipient !== undefined) {
      where.push('recipient = ?');
      args.push(query.recipient);
    }
    if (query.after) {
      where.push('(created_at < ? OR (created_at = ? AND id > ?))');
      const t = query.after.createdAt.getTime();
      args.push(t, t, query.after.id);
    }
    const sql = `SELECT * FROM courier_messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ?`;
    return (this.q(sql).all(...args, query.limit) as MessageRow[]).map(fromRow);
  }
}
