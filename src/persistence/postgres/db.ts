import type pg from 'pg';
import type { Identity } from '../../identity/types.js';
import { PG, type PgColumns } from '../sql/codec.js';
import type { WhereDialect } from '../sql/where.js';
import { isUuid } from '../codec.js';
import { identityFromRow as identityOf, type IdentityRow as IdentityRowOf } from '../sql/rows.js';

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export const json = (v: unknown): string => JSON.stringify(v);
export const jsonOrNull = (v: unknown): string | null => (v == null ? null : JSON.stringify(v));

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23505';
}

export { IDENTITY_COLUMNS } from '../codec.js';

export type IdentityRow = IdentityRowOf<PgColumns>;

/** The identity without credentials (`{}`); identity reads add them afterwards. */
export const identityFromRow = (r: IdentityRow): Identity => identityOf(PG, r);

/** PostgreSQL's side of the shared list filters (sql/where.ts): numbered `$n`, boolean flags, uuid ids. */
export const PG_WHERE: WhereDialect = {
  placeholder: (n) => `$${n}`,
  activeFlag: 's.active',
  now: () => 'now()',
  date: (d) => d,
  idIn: (w, ids) => `i.id = ANY(${w.arg(ids.filter(isUuid))}::uuid[])`,
  uuidIds: true,
};
