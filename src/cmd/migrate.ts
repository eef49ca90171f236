import { createInterface } from 'node:readline/promises';
import { openPersister } from '../persistence/index.js';
import { resolveDsn, statusOf } from '../persistence/dsn-source.js';
import { createLogger, redactDsn } from '../x/logger.js';

export interface MigrateOptions {
  dsn?: string;
  readFromEnv?: boolean;
  yes?: boolean;
  configFiles?: string[];
}

export interface MigrateIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

async function confirm(io: MigrateIO, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** `porta migrate sql [-e] [DSN] [--yes] [-c FILE]`. Returns the exit code. */
export async function runMigrateSql(opts: MigrateOptions, io: MigrateIO = process): Promise<number> {
  const dsn = resolveDsn(opts);
  const out = (s: string) => io.stdout.write(`${s}\n`);
  const persister = await openPersister(dsn, { logger: createLogger({ level: 'warn' }) });
  try {
    const status = await statusOf(persister, dsn);
    out(`Database: ${redactDsn(dsn)} (${persister.dialect})`);
    for (const v of status.applied) out(`  applied  ${v}`);
    for (const v of status.pending) out(`  pending  ${v}`);
    if (status.pending.length === 0) {
      out('The database schema is up to date: there are no migrations to apply.');
      return 0;
    }
    if (!opts.yes) {
      if (!io.stdin.isTTY) {
        io.stderr.write(`porta: ${status.pending.length} migration(s) pending; not applying them without confirmation. Re-run with --yes to apply.\n`);
        return 1;
      }
      if (!(await confirm(io, `Apply ${status.pending.length} migration(s)? [y/N] `))) {
        out('Nothing was applied.');
        return 1;
      }
    }
    const applied = await persister.migrate();
    for (const v of applied) out(`Applied migration ${v}`);
    out(`Successfully applied ${applied.length} migration(s).`);
    return 0;
  } finally {
    await persister.close();
  }
}
