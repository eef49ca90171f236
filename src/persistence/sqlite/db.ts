import type Database from 'better-sqlite3';
import type { WhereDialect } from '../sql/where.js';

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

/** SQLite's side of the shared list filters (sql/where.ts): positional `?`, 0/1 flags, ms dates. */
export const SQLITE_WHERE: WhereDialect = {
  placeholder: () => '?',
  activeFlag: 's.active = 1',
  now: (w) => w.arg(Date.now()),
  date: (d) => d.getTime(),
  idIn: (w, ids) => `i.id IN (SELECT value FROM json_each(${w.arg(JSON.stringify(ids))}))`,
  uuidIds: false,
};
