import pg from 'pg';
import type { Logger } from 'pino';
import type { MigrationStatus, Persister } from '../types.js';
import type { Migration } from '../migration.js';
import { applyMigrations, migrationStatusOf } from '../sql/migrate.js';
import type { Queryable } from './db.js';
import { PgErrorStore, PgFlowStore } from './flows.js';
import { PgCourierStore } from './courier.js';
import { PgIdentityStore } from './identities.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { PgSessionEventStore } from './session-events.js';
import { PgSessionStore } from './sessions.js';
import { PgThrottleStore } from './throttle.js';
import { PG_TYPES } from './timestamp.js';
import { watchCheckouts } from './deadline.js';

// Bounds on how long a request can wait for the database when it is down or unreachable: a new
// connection (or a free pooled one) within CONNECT_TIMEOUT_MS, a statement within STATEMENT_TIMEOUT_MS.
// The server cancels a statement at STATEMENT_TIMEOUT_MS; the client gives up on a connection checked
// out for longer than CHECKOUT_LIMIT_MS (deadline.ts), for the case where the server cannot even say so
// (a frozen host or network). Each failure is a 503.
const CONNECT_TIMEOUT_MS = 3000;
const STATEMENT_TIMEOUT_MS = 5000;
const CHECKOUT_LIMIT_MS = 6000;
const PING_TIMEOUT_MS = 2000;
// Arbitrary constant: serialises concurrent `migrate` runs against one database.
const MIGRATION_LOCK = 727_400_001;

/**
 * Pool settings from a Kratos-style DSN. Kratos (pop) reads max_conns, max_idle_conns, ... from the query
 * string; they are not libpq parameters, so they are taken out before the URL reaches pg.
 */
export function poolConfig(url: string, opts: { serving?: boolean } = {}): pg.PoolConfig {
  const u = new URL(url);
  const maxConns = Number.parseInt(u.searchParams.get('max_conns') ?? '', 10);
  for (const k of ['max_conns', 'max_idle_conns', 'max_conn_lifetime', 'max_conn_idle_time']) u.searchParams.delete(k);
  return {
    connectionString: u.href,
    max: Number.isFinite(maxConns) && maxConns > 0 ? maxConns : 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    types: PG_TYPES,
    // Only while serving requests: migrations and cleanup batches may legitimately run longer.
    ...(opts.serving ? { statement_timeout: STATEMENT_TIMEOUT_MS } : {}),
  };
}

export class PostgresPersister implements Persister {
  readonly dialect = 'postgres' as const;
  readonly identities;
  readonly sessions;
  readonly flows;
  readonly errors;
  readonly throttles;
  readonly courier;
  readonly sessionEvents;
  private closed = false;
  private readonly deadline;

  constructor(
    readonly pool: pg.Pool,
    private readonly logger: Logger,
    opts: { serving?: boolean } = {},
  ) {
    this.deadline = opts.serving ? watchCheckouts(pool, CHECKOUT_LIMIT_MS) : undefined;
    this.identities = new PgIdentityStore(pool, (fn) => this.tx(fn));
    this.sessions = new PgSessionStore(pool);
    this.flows = new PgFlowStore(pool, (fn) => this.tx(fn));
    this.errors = new PgErrorStore(pool);
    this.throttles = new PgThrottleStore(pool);
    this.courier = new PgCourierStore(pool, (fn) => this.tx(fn));
    this.sessionEvents = new PgSessionEventStore(pool);
  }

  static async open(url: string, opts: { logger: Logger; serving?: boolean }): Promise<PostgresPersister> {
    const pool = new pg.Pool(poolConfig(url, { serving: opts.serving }));
    // An idle pooled connection that dies (server restart) must not crash the process; the pool drops it
    // and opens a new one on demand.
    pool.on('error', (err) => opts.logger.warn({ err: err.message }, 'postgres connection error'));
    return new PostgresPersister(pool, opts.logger, { serving: opts.serving });
  }

  async tx<T>(fn: (c: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client has no pool listener: if the server goes away mid-transaction, the socket's
    // 'error' would be unhandled and end the process. Record it; the failing query rejects on its own.
    let broken: Error | undefined;
    const onError = (err: Error) => {
      broken ??= err;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      broken ??= await client.query('ROLLBACK').then(
        () => undefined,
        (e: Error) => e,
      );
      throw err;
    } finally {
      client.removeListener('error', onError);
      // A client whose connection failed is destroyed instead of going back to the pool.
      client.release(broken);
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
    return migrationStatusOf(POSTGRES_MIGRATIONS, await this.applied(this.pool));
  }

  async migrate(): Promise<string[]> {
    const applyOne = (m: Migration) =>
      this.tx(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        await c.query('CREATE TABLE IF NOT EXISTS porta_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
        if ((await c.query('SELECT 1 FROM porta_migrations WHERE version = $1', [m.version])).rowCount) return false;
        await c.query(m.sql);
        await c.query('INSERT INTO porta_migrations (version) VALUES ($1)', [m.version]);
        return true;
      });
    return applyMigrations(POSTGRES_MIGRATIONS, applyOne, this.logger);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.deadline?.stop();
    await this.pool.end();
  }
}
