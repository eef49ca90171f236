import type { ListIdentitiesQuery } from '../../identity/store.js';
import type { SessionFilter } from '../../session/store.js';
import { isUuid, unmatchable } from '../codec.js';
import { errPageToken } from '../../http/catalogue/index.js';

// The list filters both SQL backends share (identities, sessions): which terms a query adds and in what
// order. A dialect supplies only the SQL that differs: placeholders, the active flag, "now", date
// parameters and the id-set test. The hot statements stay hand-written in each backend.

export interface WhereDialect {
  /** The placeholder of the n-th argument (1-based): `?` or `$n`. */
  placeholder(n: number): string;
  /** The stored flag of a live session. */
  activeFlag: string;
  /** The current time, as a term (`now()`) or an argument. */
  now(w: Where): string;
  /** A date argument as the column stores it. */
  date(d: Date): unknown;
  /** `i.id` is one of `ids`. */
  idIn(w: Where, ids: string[]): string;
  /** Id columns are uuid-typed: a malformed id matches nothing instead of failing the statement. */
  uuidIds: boolean;
}

/** WHERE terms and their arguments, numbered in the order they are added. */
export class Where {
  readonly terms: string[] = [];
  readonly args: unknown[] = [];
  constructor(readonly dialect: WhereDialect) {}

  arg(v: unknown): string {
    this.args.push(v);
    return this.dialect.placeholder(this.args.length);
  }
  and(term: string): void {
    this.terms.push(term);
  }
  get sql(): string {
    return this.terms.length ? ` WHERE ${this.terms.join(' AND ')}` : '';
  }
}

/** The terms shared by a session list and its count; null when nothing can match. */
export function sessionWhere(d: WhereDialect, query: SessionFilter): Where | null {
  const w = new Where(d);
  if (query.identityId !== undefined) {
    if (d.uuidIds && !isUuid(query.identityId)) return null;
    w.and(`s.identity_id = ${w.arg(query.identityId)}`);
  }
  if (query.active !== undefined) {
    // "Active" is the stored flag, unexpired, and within the session limits when they are on.
    const live = [d.activeFlag, `s.expires_at > ${d.now(w)}`];
    if (query.idleBefore) live.push(`s.last_active_at > ${w.arg(d.date(query.idleBefore))}`);
    if (query.authenticatedBefore) live.push(`s.authenticated_at > ${w.arg(d.date(query.authenticatedBefore))}`);
    w.and(query.active ? live.join(' AND ') : `NOT (${live.join(' AND ')})`);
  }
  if (query.excludeSessionId !== undefined && (!d.uuidIds || isUuid(query.excludeSessionId))) w.and(`s.id != ${w.arg(query.excludeSessionId)}`);
  return w;
}

/** GET /admin/identities as one statement after `select` (the identity columns FROM identities i); null: no rows. */
export function identityListSql(d: WhereDialect, select: string, query: ListIdentitiesQuery): { sql: string; args: unknown[] } | null {
  const w = new Where(d);
  let from = select;
  if (query.credentialIdentifier) {
    if (unmatchable(query.credentialIdentifier.type) || unmatchable(query.credentialIdentifier.identifier)) return null;
    from += ' JOIN identity_credential_identifiers x ON x.identity_id = i.id';
    w.and(`x.type = ${w.arg(query.credentialIdentifier.type)} AND x.identifier = ${w.arg(query.credentialIdentifier.identifier)}`);
  }
  if (query.ids) w.and(d.idIn(w, query.ids));
  if (query.afterId !== undefined) {
    // Both backends refuse a malformed cursor alike (PostgreSQL's uuid column could not compare it).
    if (!isUuid(query.afterId)) throw errPageToken();
    w.and(`i.id > ${w.arg(query.afterId)}`);
  }
  let sql = `${from}${w.sql} ORDER BY i.id ASC LIMIT ${w.arg(query.limit)}`;
  if (query.offset) sql += ` OFFSET ${w.arg(query.offset)}`;
  return { sql, args: w.args };
}
