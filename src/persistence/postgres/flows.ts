import type { NewCourierMessage } from '../../courier/message.js';
import { insertCourierMessagesPg } from './courier.js';
import type { Queryable } from './db.js';
import type pg from 'pg';
import type { FlowKind, StoredError, StoredFlow } from '../../selfservice/flow/types.js';
import type { ErrorStore } from '../../selfservice/errors/store.js';
import type { FlowStore } from '../../selfservice/flow/store.js';
import { isUuid } from '../codec.js';
import { json } from './db.js';
import { PG, type PgColumns } from '../sql/codec.js';
import { errorFromRow, flowFromRow, type ErrorRow as ErrorRowOf, type FlowRow as FlowRowOf } from '../sql/rows.js';

type FlowRow = FlowRowOf<PgColumns>;
type ErrorRow = ErrorRowOf<PgColumns>;

function write(c: Queryable, f: StoredFlow): Promise<unknown> {
  return c.query(
    'UPDATE selfservice_flows SET type = $1, expires_at = $2, issued_at = $3, csrf_token = $4, data = $5, updated_at = now() WHERE id = $6 AND kind = $7',
    [f.type, f.expiresAt, f.issuedAt, f.csrfToken, json(f.data ?? {}), f.id, f.kind],
  );
}

export class PgFlowStore implements FlowStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly tx: <T>(fn: (c: Queryable) => Promise<T>) => Promise<T>,
  ) {}

  async createFlow(f: StoredFlow): Promise<void> {
    await this.pool.query(
      'INSERT INTO selfservice_flows (id, kind, type, expires_at, issued_at, csrf_token, data, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [f.id, f.kind, f.type, f.expiresAt, f.issuedAt, f.csrfToken, json(f.data ?? {}), f.createdAt, f.updatedAt],
    );
  }

  async getFlow(kind: FlowKind, id: string): Promise<StoredFlow | null> {
    if (!isUuid(id)) return null;
    const r = await this.pool.query<FlowRow>('SELECT * FROM selfservice_flows WHERE id = $1 AND kind = $2', [id, kind]);
    const row = r.rows[0];
    return row ? flowFromRow(PG, row) : null;
  }

  async updateFlow(f: StoredFlow, opts: { messages?: NewCourierMessage[] } = {}): Promise<void> {
    if (!isUuid(f.id)) return;
    const messages = opts.messages;
    if (!messages?.length) return void (await write(this.pool, f));
    await this.tx(async (c) => {
      await write(c, f);
      await insertCourierMessagesPg(c, messages);
    });
  }

  async deleteExpiredFlows(before: Date, limit: number): Promise<number> {
    const r = await this.pool.query('DELETE FROM selfservice_flows WHERE id IN (SELECT id FROM selfservice_flows WHERE expires_at < $1 LIMIT $2)', [before, limit]);
    return r.rowCount ?? 0;
  }
}

export class PgErrorStore implements ErrorStore {
  constructor(private readonly pool: pg.Pool) {}

  async createError(e: StoredError): Promise<void> {
    await this.pool.query('INSERT INTO selfservice_errors (id, error, csrf_token, seen_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      e.id,
      json(e.error),
      e.csrfToken,
      e.seenAt,
      e.createdAt,
      e.updatedAt,
    ]);
  }

  async getError(id: string): Promise<StoredError | null> {
    if (!isUuid(id)) return null;
    const r = await this.pool.query<ErrorRow>('UPDATE selfservice_errors SET seen_at = now(), updated_at = now() WHERE id = $1 RETURNING *', [id]);
    const row = r.rows[0];
    return row ? errorFromRow(PG, row) : null;
  }

  async deleteOldErrors(before: Date, limit: number): Promise<number> {
    const r = await this.pool.query('DELETE FROM selfservice_errors WHERE id IN (SELECT id FROM selfservice_errors WHERE created_at < $1 LIMIT $2)', [before, limit]);
    return r.rowCount ?? 0;
  }
}
