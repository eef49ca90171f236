import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests create their throwaway databases on (scripts/ci-postgres.sh prints one). */
export const PG_URL = process.env.PORTA_TEST_PG_URL;

/** With CI=true nothing is skipped: a missing PostgreSQL is a failure, not a skip. */
export function postgresRequired(): boolean {
  return process.env.CI === 'true';
}

export function postgresAvailable(): boolean {
  return Boolean(PG_URL);
}

/** Creates an empty database for one test app and returns its DSN and a function that drops it. */
export async function createPgDatabase(): Promise<{ dsn: string; drop: () => Promise<void> }> {
  if (!PG_URL) throw new Error('PostgreSQL tests need PORTA_TEST_PG_URL (scripts/ci-postgres.sh prints one)');
  const name = `porta_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    dsn: url.href,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
