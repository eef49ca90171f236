import pg from 'pg';
import type { Logger } from 'pino';
import type { MigrationStatus, Persister } from '../types.js';
import { pendingOf } from '../migration.js';
import type { Queryable } from './db.js';
import { PgErrorStore, PgFlowStore } from './flows.js';
import { PgIdentityStore } from './identities.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { PgSessionEventStore } from './session-events.js';
import { PgSessionStore } from './sessions.js';

const CONNECT_TIMEOUT_MS = 3000;
const PING_TIMEOUT_MS = 2000;
// Arbitrary constant: serialises concurrent `migrate` runs against one database.
const MIGRATION_LOCK = 727_400_001;

/**
 * Pool settings from a Kratos-style DSN. Kratos (pop) reads max_conns, max_idle_conns, ... from the query
 * string; they are not libpq parameters, so they are taken out before the URL reaches pg.
 */
export function poolConfig(url: string): pg.PoolConfig {
  const u = new URL(url);
  const maxConns = Number.parseInt(u.searchParams.get('max_conns') ?? '', 10);
  for (const k of ['max_conns', 'max_idle_conns', 'max_conn_lifetime', 'max_conn_idle_time']) u.searchParams.delete(k);
  return {
    connectionString: u.href,
    max: Number.isFinite(maxConns) && maxConns > 0 ? maxConns : 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
  };
}

export class PostgresPersister implements Persister {
  readonly dialect = 'postgres' as const;
  readonly identities;
  readonly sessions;
  readonly flows;
  readonly errors;
  readonly sessionEvents;
  private closed = false;

  constructor(
    readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {
    this.identities = new PgIdentityStore(pool, (fn) => this.tx(fn));
    this.sessions = new PgSessionStore(pool);
    this.flows = new PgFlowStore(pool);
    this.errors = new PgErrorStore(pool);
    this.sessionEvents = new PgSessionEventStore(pool);
  }

  static async open(url: string, opts: { logger: Logger }): Promise<PostgresPersister> {
    const pool = new pg.Pool(poolConfig(url));
    // An idle pooled connection that dies (server restart) must not crash the process; the pool replaces it.
    pool.on('error', (err) => opts.logger.warn({ err: err.message }, 'postgres connection error'));
    return new PostgresPersister(pool, opts.logger);
  }

  async tx<T>(fn: (c: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('the database is closed');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('postgres ping timed out')), PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.pool.query('SELECT 1'), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async applied(c: Queryable): Promise<Set<string>> {
    const t = await c.query<{ t: string | null }>("SELECT to_regclass('porta_migrations')::text AS t");
    if (!t.rows[0].t) return new Set();
    const r = await c.query<{ version: string }>('SELECT version FROM porta_migrations');
    return new Set(r.rows.map((x) => x.version));
  }

  async migrationStatus(): Promise<MigrationStatus> {
    const applied = await this.applied(this.pool);
    return {
      applied: POSTGRES_MIGRATIONS.filter((m) => applied.has(m.version)).map((m) => m.version),
      pending: pendingOf(POSTGRES_MIGRATIONS, applied).map((m) => m.version),
    };
  }

  async migrate(): Promise<string[]> {
    const done: string[] = [];
    for (const m of POSTGRES_MIGRATIONS) {
      const applied = await this.tx(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        await c.query('CREATE TABLE IF NOT EXISTS porta_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
        if ((await c.query('SELECT 1 FROM porta_migrations WHERE version = $1', [m.version])).rowCount) return false;
        await c.query(m.sql);
        await c.query('INSERT INTO porta_migrations (version) VALUES ($1)', [m.version]);
        return true;
      });
      if (applied) {
        done.push(m.version);
        this.logger.info({ version: m.version }, 'applied migration');
      }
    }
    return done;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
