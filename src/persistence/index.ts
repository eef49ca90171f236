import type { Logger } from 'pino';
import type { Persister } from './types.js';

export interface PersisterOptions {
  logger: Logger;
  /** SQLite only: how often the WAL is checkpointed off the request path, and its size cap in pages. */
  sqlite?: { checkpointIntervalMs: number; walMaxPages: number };
}

/**
 * STUB (owned by the persistence helper). `memory` → in-memory SQLite; `sqlite://PATH?...` → file
 * (WAL, synchronous=NORMAL, foreign keys); `postgres://` / `postgresql://` → pooled pg.
 * Does not migrate: callers decide (serve migrates SQLite, refuses a PostgreSQL schema that is behind).
 */
export async function openPersister(_dsn: string, _opts: PersisterOptions): Promise<Persister> {
  throw new Error('not implemented');
}
