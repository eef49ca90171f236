import type Database from 'better-sqlite3';

export type DB = Database.Database;
export type Stmt = Database.Statement<unknown[], unknown>;

/**
 * Statements are prepared on first use and then reused: stores exist before `migrate()` creates the
 * tables, and better-sqlite3 re-preparing per call would cost more than the statement itself.
 */
export function statements(db: DB): (sql: string) => Stmt {
  const cache = new Map<string, Stmt>();
  return (sql) => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
}

export const ms = (d: Date): number => d.getTime();
export const dateOf = (v: number): Date => new Date(v);
export const jsonOrNull = (v: unknown): string | null => (v == null ? null : JSON.stringify(v));

export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
