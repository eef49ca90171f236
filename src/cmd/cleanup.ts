export interface CleanupOptions {
  dsn?: string;
  readFromEnv?: boolean;
  configFiles?: string[];
  keepLast?: string;
  batchSize?: number;
}

/** STUB (owned by the persistence helper). `porta cleanup sql`. Returns the exit code. */
export async function runCleanupSql(_opts: CleanupOptions): Promise<number> {
  throw new Error('not implemented');
}
