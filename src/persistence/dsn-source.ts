import { ConfigError, loadConfigValues, readConfigFile } from '../config/load.js';
import { redactDsn } from '../x/logger.js';
import type { MigrationStatus, Persister } from './types.js';

export interface DsnSource {
  dsn?: string;
  readFromEnv?: boolean;
  configFiles?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Where `porta migrate sql` / `cleanup sql` find their DSN, as Kratos does: the argument, else `-e` (the DSN
 * environment variable), else the `dsn` key of the config file(s) (which the DSN variable overrides).
 * Only `dsn` is read from the files, so a file with nothing but `dsn:` is enough.
 */
export function resolveDsn(src: DsnSource): string {
  const env = src.env ?? process.env;
  if (src.dsn) return src.dsn;
  if (src.readFromEnv && env.DSN) return env.DSN;
  const files = src.configFiles ?? [];
  if (files.length > 0) {
    const values = files.slice(0, -1).reduce<Record<string, unknown>>((acc, f) => ({ ...acc, ...readConfigFile(f) }), {});
    const loaded = loadConfigValues({ values, file: files[files.length - 1], env });
    const dsn = loaded.values.dsn;
    if (typeof dsn === 'string' && dsn) return dsn;
    throw new ConfigError(`config key "dsn" is not set in ${files.join(', ')} (nor in the DSN environment variable)`);
  }
  if (src.readFromEnv) throw new ConfigError('-e was given but the DSN environment variable is not set');
  throw new ConfigError('no database given: pass the DSN as an argument, use -e to read it from the DSN environment variable, or -c FILE');
}

/** The first round trip of a command: an unreachable database is a one-line message, not a stack trace. */
export async function statusOf(persister: Persister, dsn: string): Promise<MigrationStatus> {
  try {
    return await persister.migrationStatus();
  } catch (err) {
    await persister.close().catch(() => {});
    throw new ConfigError(`unable to reach the database ${redactDsn(dsn)}: ${(err as Error).message}`);
  }
}
