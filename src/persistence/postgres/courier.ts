import { randomUUID } from 'node:crypto';
import type { ClaimedMessage, CourierDispatch, CourierMessage, NewCourierMessage } from '../../courier/message.js';
import type { ClaimOptions, CourierStore, DeliveryOutcome, ListMessagesQuery } from '../../courier/store.js';
import { isUuid } from '../codec.js';
import { json, type Queryable } from './db.js';
import { PG, type PgColumns } from '../sql/codec.js';
import { messageFromRow, type MessageRow as MessageRowOf } from '../sql/rows.js';

type MessageRow = MessageRowOf<PgColumns>;

interface DispatchRow {
  id: string;
  message_id: string;
  status: string;
  error: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
}

const fromRow = (r: MessageRow): CourierMessage => messageFromRow(PG, r);

/**
 * Inserts queued messages with the caller's client. Pass the pg client of an open transaction (the one that
 * ran BEGIN, e.g. inside PostgresPersister.tx) to queue mail atomically with a flow change.
 */
export async function insertCourierMessagesPg(c: Queryable, messages: NewCourierMessage[]): Promise<void> {
  const now = new Date();
  for (const m of messages) {
    await c.query(
      `INSERT INTO courier_messages (id, type, channel, status, recipient, subject, body, template_type, template_data, send_count, next_attempt_at, created_at, updated_at)
       VALUES ($1, 'email', 'email', 'queued', $2, $3, $4, $5, $6, 0, $7, $7, $7)`,
      [m.id, m.recipient, m.subject, m.body, m.templateType, json(m.templateData), now],
    );
  }
}

export class PgCourierStore implements CourierStore {
  constructor(
    private readonly pool: Queryable,
    private readonly tx: <T>(fn: (c: Queryable) => Promise<T>) => Promise<T>,
  ) {}

  async enqueue(messages: NewCourierMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.tx((c) => insertCourierMessagesPg(c, messages));
  }

  async claim({ limit, leaseMs }: ClaimOptions): Promise<ClaimedMessage[]> {
    const token = randomUUID();
    // SKIP LOCKED: concurrent workers each take different rows instead of waiting on or sharing them.
    const r = await this.pool.query<MessageRow>(
      `UPDATE courier_messages SET status = 'processing', send_count = send_count + 1,
              lease_until = now() + ($1 * interval '1 millisecond'), claim_token = $2, updated_at = now()
       WHERE id IN (SELECT id FROM courier_messages
                    WHERE (status = 'queued' AND next_attempt_at <= now()) OR (status = 'processing' AND lease_until <= now())
                    ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [leaseMs, token, limit],
    );
    return r.rows
      .map((row) => ({ ...fromRow(row), claimToken: token }))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  }

  async complete(m: ClaimedMessage, outcome: DeliveryOutcome): Promise<boolean> {
    const status = outcome.kind === 'sent' ? 'sent' : outcome.kind === 'abandon' ? 'abandoned' : 'queued';
    const next = outcome.kind === 'retry' ? outcome.notBefore : new Date();
    const error = outcome.kind === 'retry' || outcome.kind === 'abandon' ? outcome.error : null;
    const uncount = outcome.kind === 'release' ? 1 : 0;
    return this.tx(async (c) => {
      const u = await c.query(
        `UPDATE courier_messages SET status = $1, next_attempt_at = $2, send_count = send_count - $5, lease_until = NULL, claim_token = NULL, updated_at = now()
         WHERE id = $3 AND status = 'processing' AND claim_token = $4`,
        [status, next, m.id, m.claimToken, uncount],
      );
      if (!u.rowCount) return false;
      if (outcome.kind === 'sent' || error) {
        await c.query(
          'INSERT INTO courier_message_dispatches (id, message_id, status, error, created_at, updated_at) VALUES ($1, $2, $3, $4, clock_timestamp(), clock_timestamp())',
          [randomUUID(), m.id, outcome.kind === 'sent' ? 'success' : 'failed', error ? json(error) : null],
        );
      }
      return true;
    });
  }

  async getMessage(id: string): Promise<CourierMessage | null> {
    if (!isUuid(id)) return null;
    const r = await this.pool.query<MessageRow>('SELECT * FROM courier_messages WHERE id = $1', [id]);
    return r.rows[0] ? fromRow(r.rows[0]) : null;
  }

  async listDispatches(messageId: string): Promise<CourierDispatch[]> {
    const r = await this.pool.query<DispatchRow>('SELECT * FROM courier_message_dispatches WHERE message_id = $1 ORDER BY created_at DESC, id DESC', [messageId]);
    return r.rows.map((row) => ({
      id: row.id,
      messageId: row.message_id,
      status: row.status as CourierDispatch['status'],
      error: row.error,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
  }

  async listMessages(query: ListMessagesQuery): Promise<CourierMessage[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const p = (v: unknown) => {
      args.push(v);
      return `$${args.length}`;
    };
    if (query.status) where.push(`status = ${p(query.status)}`);
    if (query.recipient !== undefined) where.push(`recipient = ${p(query.recipient)}`);
    if (query.after) {
      const t = p(query.after.createdAt);
      where.push(`(created_at < ${t} OR (created_at = ${t} AND id > ${p(query.after.id)}))`);
    }
    const sql = `SELECT * FROM courier_messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ${p(query.limit)}`;
    return (await this.pool.query<MessageRow>(sql, args)).rows.map(fromRow);
  }
}
