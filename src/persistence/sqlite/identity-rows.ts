import type { Identity } from '../../identity/types.js';
import { SQLITE, type SqliteColumns } from '../sql/codec.js';
import { identityFromRow as identityOf, type IdentityRow as IdentityRowOf } from '../sql/rows.js';

export { IDENTITY_COLUMNS } from '../codec.js';

export type IdentityRow = IdentityRowOf<SqliteColumns>;

/** The identity without credentials (`{}`); identity reads add them afterwards. */
export const identityFromRow = (r: IdentityRow): Identity => identityOf(SQLITE, r);
