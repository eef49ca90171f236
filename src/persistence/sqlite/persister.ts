import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { MigrationStatus, Persister } from '../types.js';
import type { Migration } from '../migration.js';
import { applyMigrations, migrationStatusOf } from '../sql/migrate.js';
import { startCheckpointer, type Checkpointer } from './checkpoint.js';
import type { DB } from './db.js';
import { WriteGate } from './gate.js';
import { GroupCommit } from './group-commit.js';
import { SqliteErrorStore, SqliteFlowStore } from './flows.js';
import { SqliteCourierStore } from './courier.js';
import { SqliteIdentityStore } from './identities.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { SqliteSessionStore } from './sessions.js';
import { SqliteThrottleStore } from './throttle.js';
import { SqliteSessionEventStore } from './session-events.js';

export interface SqliteOptions {
  logger: Logger;
  /** undefined: in-memory database. */
  path?: string;
  checkpointIntervalMs: number;
  walMaxPages: number;
}

const BUSY_TIMEOUT_MS = 5000;
export const PAGE_CACHE_KIB = 4000;

export class SqlitePersister implements Persister {
  readonly dialect = 'sqlite' as const;
  readonly identities;
  readonly sessions;
  readonly flows;
  readonly errors;
  readonly throttles;
  readonly courier;
  readonly sessionEvents;
  private checkpointer?: Checkpointer;
  /** The checkpoint worker's descriptor for flushing the database file (checkpoint.ts). */
  private syncFd?: number;
  private closed = false;
  private pingStmt?: ReturnType<DB['prepare']>;
  private readonly group;

  constructor(
    readonly db: DB,
    private readonly logger: Logger,
    readonly gate = new WriteGate(),
  ) {
    this.identities = new SqliteIdentityStore(db, gate);
    this.group = new GroupCommit(db, gate);
    this.sessions = new SqliteSessionStore(db, gate, this.group);
    this.flows = new SqliteFlowStore(db, gate);
    this.errors = new SqliteErrorStore(db, gate);
    this.throttles = new SqliteThrottleStore(db, gate);
    this.courier = new SqliteCourierStore(db, gate);
    this.sessionEvents = new SqliteSessionEventStore(db, gate);
  }

  static open(opts: SqliteOptions): SqlitePersister {
    if (!opts.path) {
      const db = new Database(':memory:');
      db.pragma('foreign_keys = ON');
      return new SqlitePersister(db, opts.logger);
    }
    mkdirSync(dirname(opts.path), { recursive: true });
    const db = new Database(opts.path);
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // A 4 MiB page cache instead of better-sqlite3's 16 MiB: the OS caches the file anyway, and past the
      // hot B-tree interior pages a session lookup's leaves are random, so the larger cache mostly held
      // cold copies. Measured at 100k and 1M sessions (docs/benchmarks.md, fifteenth session): 10-14 MiB less
      // peak RSS, which keeps the logins-under-load peak under 150 MiB, and whoami no slower.
      db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
      // Checkpoints run in a worker (checkpoint.ts), never inline in a request's commit.
      db.pragma('wal_autocheckpoint = 0');
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      // After a checkpoint resets the WAL, SQLite trims the file back to this size.
      db.pragma(`journal_size_limit = ${opts.walMaxPages * pageSize}`);
    } catch (err) {
      db.close();
      throw err;
    }
    const p = new SqlitePersister(db, opts.logger);
    // Closing any descriptor of a file drops every POSIX lock this process holds on it, SQLite's
    // included; so this one is opened after the connection and closed only after it (close()).
    try {
      p.syncFd = openSync(opts.path, 'r');
    } catch (err) {
      db.close();
      throw err;
    }
    const ckpt = { intervalMs: opts.checkpointIntervalMs, walMaxPages: opts.walMaxPages, logger: opts.logger, syncFd: p.syncFd };
    p.checkpointer = startCheckpointer(opts.path, ckpt, p.gate);
    return p;
  }

  /** Runs one checkpoint pass now (tests and benchmarks); a no-op for in-memory databases. */
  checkpointNow(): Promise<void> {
    return this.checkpointer?.tick() ?? Promise.resolve();
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('the database is closed');
    (this.pingStmt ??= this.db.prepare('SELECT 1')).get();
  }

  private applied(): Set<string> {
    const exists = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'porta_migrations'").get();
    if (!exists) return new Set();
    return new Set((this.db.prepare('SELECT version FROM porta_migrations').all() as Array<{ version: string }>).map((r) => r.version));
  }

  async migrationStatus(): Promise<MigrationStatus> {
    return migrationStatusOf(SQLITE_MIGRATIONS, this.applied());
  }

  async migrate(): Promise<string[]> {
    this.db.exec('CREATE TABLE IF NOT EXISTS porta_migrations (version TEXT PRIMARY KEY NOT NULL, applied_at INTEGER NOT NULL)');
    // IMMEDIATE takes the write lock first, so two processes migrating one file apply each step once.
    const applyOne = async (m: Migration) =>
      this.db
        .transaction(() => {
          if (this.db.prepare('SELECT 1 FROM porta_migrations WHERE version = ?').get(m.version)) return false;
          this.db.exec(m.sql);
          this.db.prepare('INSERT INTO porta_migrations (version, applied_at) VALUES (?, ?)').run(m.version, Date.now());
          return true;
        })
        .immediate();
    return applyMigrations(SQLITE_MIGRATIONS, applyOne, this.logger);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Writes queued for the next group commit land before the connection goes.
    this.group.drain();
    await this.checkpointer?.stop();
    this.db.close();
    if (this.syncFd !== undefined) closeSync(this.syncFd);
  }
}
