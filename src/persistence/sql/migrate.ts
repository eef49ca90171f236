import type { Logger } from 'pino';
import type { Migration } from '../migration.js';
import { pendingOf } from '../migration.js';
import type { MigrationStatus } from '../types.js';

// The migration loop both SQL backends share. A backend supplies only what its SQL decides: which
// versions are recorded, and how one step is applied atomically (its own lock, transaction and
// bookkeeping table), answering false when another process applied that step first.

/** Applied and pending versions, in the order of `all`. */
export function migrationStatusOf(all: Migration[], applied: Set<string>): MigrationStatus {
  return {
    applied: all.filter((m) => applied.has(m.version)).map((m) => m.version),
    pending: pendingOf(all, applied).map((m) => m.version),
  };
}

/** Applies each step in order, one transaction each; returns the versions this call applied. */
export async function applyMigrations(all: Migration[], applyOne: (m: Migration) => Promise<boolean>, logger: Logger): Promise<string[]> {
  const done: string[] = [];
  for (const m of all) {
    if (await applyOne(m)) {
      done.push(m.version);
      logger.info({ version: m.version }, 'applied migration');
    }
  }
  return done;
}
