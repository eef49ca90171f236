import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration } from '../config/duration.js';
import { ConfigError } from '../config/load.js';
import { openPersister } from '../persistence/index.js';
import { resolveDsn, statusOf } from '../persistence/dsn-source.js';
import { createLogger, redactDsn } from '../x/logger.js';

export interface CleanupOptions {
  dsn?: string;
  readFromEnv?: boolean;
  configFiles?: string[];
  keepLast?: string;
  batchSize?: number;
  /** Pause between two batches; keeps the job from hogging the database beside live traffic. */
  pauseMs?: number;
}

/** Deletes in batches until a batch comes back short; returns the total. */
async function drain(step: (limit: number) => Promise<number>, batchSize: number, pauseMs: number): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await step(batchSize);
    total += n;
    if (n < batchSize) return total;
    await sleep(pauseMs);
  }
}

/** `porta cleanup sql`. Returns the exit code. */
export async function runCleanupSql(opts: CleanupOptions, io: { stdout: NodeJS.WritableStream } = process): Promise<number> {
  const batchSize = opts.batchSize ?? 100;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new ConfigError('--batch-size must be a positive integer');
  let keepMs: number;
  try {
    keepMs = parseDuration(opts.keepLast ?? '0s');
  } catch {
    throw new ConfigError(`--keep-last must be a duration such as 24h or 30m (got ${JSON.stringify(opts.keepLast)})`);
  }
  const pauseMs = opts.pauseMs ?? 50;
  const dsn = resolveDsn(opts);
  const out = (s: string) => io.stdout.write(`${s}\n`);
  const persister = await openPersister(dsn, { logger: createLogger({ level: 'warn' }) });
  try {
    const status = await statusOf(persister, dsn);
    if (status.pending.length > 0) {
      throw new ConfigError(`the database schema of ${redactDsn(dsn)} is behind (${status.pending.length} migration(s) pending): run \`porta migrate sql\` first`);
    }
    const before = new Date(Date.now() - keepMs);
    out(`Deleting data that expired before ${before.toISOString()} in batches of ${batchSize} from ${redactDsn(dsn)}`);
    const sessions = await drain((n) => persister.sessions.deleteExpiredSessions(before, n), batchSize, pauseMs);
    out(`Deleted ${sessions} expired session(s).`);
    const flows = await drain((n) => persister.flows.deleteExpiredFlows(before, n), batchSize, pauseMs);
    out(`Deleted ${flows} expired self-service flow(s).`);
    const errors = await drain((n) => persister.errors.deleteOldErrors(before, n), batchSize, pauseMs);
    out(`Deleted ${errors} self-service error container(s).`);
    const throttles = await drain((n) => persister.throttles.deleteExpiredThrottles(before, n), batchSize, pauseMs);
    out(`Deleted ${throttles} expired throttle counter(s).`);
    // Session events go once every delivery is final (delivered, failed, expired, orphaned).
    const events = await drain((n) => persister.sessionEvents.deleteFinishedEvents(before, n), batchSize, pauseMs);
    out(`Deleted ${events} finished session event(s).`);
    out('Cleanup finished.');
    return 0;
  } finally {
    await persister.close();
  }
}
