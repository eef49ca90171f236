export interface MigrateOptions {
  dsn?: string;
  readFromEnv?: boolean;
  yes?: boolean;
  configFiles?: string[];
}

/** STUB (owned by the persistence helper). `porta migrate sql [-e] [DSN] [--yes] [-c FILE]`. Returns the exit code. */
export async function runMigrateSql(_opts: MigrateOptions): Promise<number> {
  throw new Error('not implemented');
}
