import type { FlowKind, StoredError, StoredFlow } from '../../selfservice/flow/types.js';
import type { ErrorStore } from '../../selfservice/errors/store.js';
import type { FlowStore } from '../../selfservice/flow/store.js';
import { gateWrites, type WriteGate, type WriteKinds } from './gate.js';
import type { NewCourierMessage } from '../../courier/message.js';
import { insertCourierMessagesSqlite } from './courier.js';
import { ms, statements, type DB } from './db.js';
import { SQLITE, type SqliteColumns } from '../sql/codec.js';
import { errorFromRow, flowFromRow, type ErrorRow as ErrorRowOf, type FlowRow as FlowRowOf } from '../sql/rows.js';

type FlowRow = FlowRowOf<SqliteColumns>;
type ErrorRow = ErrorRowOf<SqliteColumns>;

const FLOW_ACCESS: WriteKinds<FlowStore> = {
  createFlow: 'write',
  getFlow: 'read',
  updateFlow: 'write',
  deleteExpiredFlows: 'write',
};

export class SqliteFlowStore implements FlowStore {
  private readonly q;

  constructor(
    private readonly db: DB,
    gate: WriteGate,
  ) {
    this.q = statements(db);
    gateWrites<FlowStore>(this, gate, FLOW_ACCESS);
  }

  async createFlow(f: StoredFlow): Promise<void> {
    this.q('INSERT INTO selfservice_flows (id, kind, type, expires_at, issued_at, csrf_token, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      f.id,
      f.kind,
      f.type,
      ms(f.expiresAt),
      ms(f.issuedAt),
      f.csrfToken,
      JSON.stringify(f.data ?? {}),
      ms(f.createdAt),
      ms(f.updatedAt),
    );
  }

  async getFlow(kind: FlowKind, id: string): Promise<StoredFlow | null> {
    const row = this.q('SELECT * FROM selfservice_flows WHERE id = ? AND kind = ?').get(id, kind) as FlowRow | undefined;
    return row ? flowFromRow(SQLITE, row) : null;
  }

  async updateFlow(f: StoredFlow, opts: { messages?: NewCourierMessage[] } = {}): Promise<void> {
    if (opts.messages?.length) {
      const messages = opts.messages;
      this.db.transaction(() => {
        this.write(f);
        insertCourierMessagesSqlite(this.db, messages);
      }).immediate();
      return;
    }
    this.write(f);
  }

  private write(f: StoredFlow): void {
    this.q('UPDATE selfservice_flows SET type = ?, expires_at = ?, issued_at = ?, csrf_token = ?, data = ?, updated_at = ? WHERE id = ? AND kind = ?').run(
      f.type,
      ms(f.expiresAt),
      ms(f.issuedAt),
      f.csrfToken,
      JSON.stringify(f.data ?? {}),
      Date.now(),
      f.id,
      f.kind,
    );
  }

  async deleteExpiredFlows(before: Date, limit: number): Promise<number> {
    return this.q('DELETE FROM selfservice_flows WHERE id IN (SELECT id FROM selfservice_flows WHERE expires_at < ? LIMIT ?)').run(ms(before), limit).changes;
  }
}

const ERROR_ACCESS: WriteKinds<ErrorStore> = {
  createError: 'write',
  getError: 'write',
  deleteOldErrors: 'write',
};

export class SqliteErrorStore implements ErrorStore {
  private readonly q;

  constructor(
    db: DB,
    gate: WriteGate,
  ) {
    this.q = statements(db);
    gateWrites<ErrorStore>(this, gate, ERROR_ACCESS);
  }

  async createError(e: StoredError): Promise<void> {
    this.q('INSERT INTO selfservice_errors (id, error, csrf_token, seen_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      e.id,
      JSON.stringify(e.error),
      e.csrfToken,
      e.seenAt ? ms(e.seenAt) : null,
      ms(e.createdAt),
      ms(e.updatedAt),
    );
  }

  async getError(id: string): Promise<StoredError | null> {
    const now = Date.now();
    const row = this.q('UPDATE selfservice_errors SET seen_at = ?, updated_at = ? WHERE id = ? RETURNING *').get(now, now, id) as ErrorRow | undefined;
    return row ? errorFromRow(SQLITE, row) : null;
  }

  async deleteOldErrors(before: Date, limit: number): Promise<number> {
    return this.q('DELETE FROM selfservice_errors WHERE id IN (SELECT id FROM selfservice_errors WHERE created_at < ? LIMIT ?)').run(ms(before), limit).changes;
  }
}
