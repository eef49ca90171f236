import { resolve } from 'node:path';

export type ParsedDsn =
  | { dialect: 'sqlite'; memory: true }
  | { dialect: 'sqlite'; memory: false; path: string }
  | { dialect: 'postgres'; url: string };

/**
 * Kratos-style DSNs: `memory`, `sqlite:///abs/path.db?_fk=true`, `sqlite://./rel.db?mode=rwc`,
 * `sqlite://file::memory:?cache=shared`, `postgres://...`, `postgresql://...`. SQLite query parameters are
 * driver hints for Kratos's Go driver; Porta always sets its own pragmas, so they are ignored.
 */
export function parseDsn(dsn: string): ParsedDsn {
  if (dsn === 'memory' || dsn === 'sqlite://:memory:' || /^sqlite:\/\/(file:)?:memory:/.test(dsn) || /mode=memory/.test(dsn)) {
    return { dialect: 'sqlite', memory: true };
  }
  if (dsn.startsWith('sqlite://') || dsn.startsWith('sqlite3://')) {
    let path = dsn.slice(dsn.indexOf('://') + 3);
    const q = path.indexOf('?');
    if (q >= 0) path = path.slice(0, q);
    if (path.startsWith('file:')) path = path.slice(5);
    try {
      path = decodeURIComponent(path);
    } catch {
      // a literal % in a path is kept as written
    }
    if (!path) throw new Error('the sqlite DSN has no file path (e.g. sqlite:///var/lib/porta/db.sqlite?_fk=true)');
    return { dialect: 'sqlite', memory: false, path: resolve(path) };
  }
  if (dsn.startsWith('postgres://') || dsn.startsWith('postgresql://')) return { dialect: 'postgres', url: dsn };
  throw new Error('unsupported DSN: expected memory, sqlite://PATH, postgres:// or postgresql://');
}
