import type { Logger } from 'pino';
import type { Persister } from './types.js';
import { parseDsn } from './dsn.js';
import { SqlitePersister } from './sqlite/persister.js';

export interface PersisterOptions {
  logger: Logger;
  /** SQLite only: how often the WAL is checkpointed off the request path, and its size cap in pages. */
  sqlite?: { checkpointIntervalMs: number; walMaxPages: number };
  /** PostgreSQL only: the persister serves requests, so every statement gets a timeout (not for migrations). */
  serving?: boolean;
}

/**
 * `memory` → in-memory SQLite; `sqlite://PATH?...` → file (WAL, synchronous=NORMAL, foreign keys);
 * `postgres://` / `postgresql://` → pooled pg.
 * Does not migrate: callers decide (serve migrates SQLite, refuses a PostgreSQL schema that is behind).
 */
export async function openPersister(dsn: string, opts: PersisterOptions): Promise<Persister> {
  const parsed = parseDsn(dsn);
  if (parsed.dialect === 'postgres') {
    const { PostgresPersister } = await import('./postgres/persister.js');
    return PostgresPersister.open(parsed.url, { logger: opts.logger, serving: opts.serving });
  }
  return SqlitePersister.open({
    logger: opts.logger,
    path: parsed.memory ? undefined : parsed.path,
    checkpointIntervalMs: opts.sqlite?.checkpointIntervalMs ?? 1000,
    walMaxPages: opts.sqlite?.walMaxPages ?? 4000,
  });
}
