import { Writable } from 'node:stream';
import { deepMerge, e2eConfig, startPorta, writeConfig, type Database, type Started } from './spawn.js';
import type { Sink } from './smtp-sink.js';
import { openPersister } from '../../src/persistence/index.js';
import type { Persister } from '../../src/persistence/types.js';
import { createLogger } from '../../src/x/logger.js';

/** Helpers for tests that run the courier as real processes next to the test's own connection to the database. */

const silent = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

export async function openDb(db: Database): Promise<Persister> {
  const p = await openPersister(db.dsn, { logger: silent, sqlite: { checkpointIntervalMs: 1000, walMaxPages: 4000 } });
  await p.migrate();
  return p;
}

export function courierConfig(sink: Sink, extra: Record<string, any> = {}): Record<string, any> {
  return deepMerge({ courier: { smtp: { connection_uri: `smtp://127.0.0.1:${sink.port}/?disable_starttls=true` }, worker: { pull_wait: '50ms' } } }, extra);
}

/** Starts `porta courier watch -c <file>` on the database. */
export function watch(dir: string, db: Database, config: Record<string, any>, name: string): Started {
  const file = writeConfig(dir, deepMerge(e2eConfig(db.dsn, 1, 1), config), `${name}.yaml`);
  return startPorta(['courier', 'watch', '-c', file], { cwd: dir });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

