import type { FastifyReply, FastifyRequest } from 'fastify';
import { queryOf, type Query } from '../http/query.js';
import type { ListIdentitiesQuery } from './store.js';
import { isUUID } from '../x/tokens.js';
import { normalizeIdentifier } from './normalize.js';
import { requestLinkWith } from '../x/go/url.js';
import { errBadIncludeCredential, errBadUUIDParam, errCombinedFilters, errLegacyPagination, errLegacyPaginationTooFar, errPageSizeMin, errPageToken, errParam, errTooManyIds, errUnsupportedFilters } from '../http/catalogue/index.js';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const MAX_IDS = 500;
const DEFAULT_SIZE = 250;
const MAX_SIZE = 500;

/** Credential types Kratos knows for include_credential (identity.CredentialsType). */
export const CREDENTIAL_TYPES = ['password', 'oidc', 'totp', 'lookup_secret', 'webauthn', 'code', 'passkey', 'profile', 'saml', 'link_recovery', 'code_recovery', 'deviceauthn'];

/**
 * include_credential. Kratos's getIdentity formats the slice parsed so far (`[password]`), its
 * listIdentities the bad value itself; `echoValue` picks the latter.
 */
export function parseIncludeCredential(q: Query, echoValue = false): string[] {
  const out: string[] = [];
  for (const v of q.getAll('include_credential')) {
    if (!CREDENTIAL_TYPES.includes(v)) {
      const shown = echoValue ? v : `[${out.join(' ')}]`;
      throw errBadIncludeCredential(shown);
    }
    out.push(v);
  }
  return out;
}

function parseSize(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^[+-]?\d{1,18}$/.test(raw)) throw errParam(name, `strconv.Atoi: parsing ${JSON.stringify(raw)}: invalid syntax`);
  return Number(raw);
}

export interface ListPlan {
  query: ListIdentitiesQuery;
  /** Whether items carry their credentials (a credentials filter or include_credential). */
  expandCredentials: boolean;
  includeCredential: string[];
  mode: 'keyset' | 'page';
  size: number;
  page: number;
}

/** Reads GET /admin/identities parameters with Kratos's checks and texts (kratos-flows-spec.md §5.6). */
export function planList(req: FastifyRequest): ListPlan {
  const q = queryOf(req);
  const ids = q.getAll('ids').filter((v) => v !== '');
  const identifier = q.get('credentials_identifier') ?? '';
  const similar = q.get('preview_credentials_identifier_similar') ?? '';
  const org = q.get('organization_id') ?? '';
  // Kratos's order of checks: ids, organization_id, include_credential, then the filter combination.
  for (const id of ids) if (!isUUID(id.toLowerCase())) throw errBadUUIDParam(id, 'ids');
  if (ids.length > MAX_IDS) throw errTooManyIds(MAX_IDS);
  if (org !== '' && !isUUID(org.toLowerCase())) throw errBadUUIDParam(org, 'organization_id');
  const includeCredential = parseIncludeCredential(q, true);
  const filters = [ids.length > 0, identifier !== '', similar !== '', org !== ''].filter(Boolean).length;
  if (filters > 1) throw errCombinedFilters();
  if (similar !== '' || org !== '') {
    throw errUnsupportedFilters();
  }

  const query: ListIdentitiesQuery = { limit: DEFAULT_SIZE };
  if (ids.length) query.ids = [...new Set(ids.map((i) => i.toLowerCase()))];
  if (identifier !== '') query.credentialIdentifier = { type: 'password', identifier: normalizeIdentifier(identifier) };

  let plan: ListPlan;
  if (q.has('page')) {
    const page = parseSize(q.get('page'), 'page') ?? 0;
    const perPage = parseSize(q.get('per_page'), 'per_page') ?? DEFAULT_SIZE;
    if (page < 0 || perPage < 1) throw errLegacyPagination();
    const size = Math.min(perPage, MAX_SIZE);
    if (page * size > 1000) {
      throw errLegacyPaginationTooFar();
    }
    plan = { query: { ...query, limit: size, offset: page * size }, expandCredentials: false, includeCredential, mode: 'page', size, page };
  } else {
    const raw = parseSize(q.get('page_size'), 'page_size') ?? parseSize(q.get('per_page'), 'per_page') ?? DEFAULT_SIZE;
    if (raw < 1) throw errPageSizeMin();
    const size = Math.min(raw, MAX_SIZE);
    const token = q.get('page_token');
    if (token !== undefined && token !== '' && !isUUID(token.toLowerCase())) {
      throw errPageToken();
    }
    const afterId = token && token.toLowerCase() !== NIL_UUID ? token.toLowerCase() : undefined;
    // One extra row tells whether a next page exists without a count.
    plan = { query: { ...query, limit: size + 1, afterId }, expandCredentials: false, includeCredential, mode: 'keyset', size, page: 0 };
  }
  plan.expandCredentials = identifier !== '' || includeCredential.length > 0;
  return plan;
}

/** keysetpagination.Header: first always, next when this page was full. */
export function setKeysetLink(req: FastifyRequest, reply: FastifyReply, size: number, nextAfterId: string | undefined): void {
  const links = [`<${requestLinkWith(req.url, { page_size: String(size), page_token: NIL_UUID })}>; rel="first"`];
  if (nextAfterId) links.push(`<${requestLinkWith(req.url, { page_size: String(size), page_token: nextAfterId })}>; rel="next"`);
  reply.header('link', links.join(','));
}

/** Legacy page pagination headers (ory/x pagination.Header): X-Total-Count and first/next/prev/last. */
export function setPageHeaders(req: FastifyRequest, reply: FastifyReply, total: number, page: number, perPage: number): void {
  const link = (rel: string, p: number) => `<${requestLinkWith(req.url, { page: String(p), per_page: String(perPage) })}>; rel="${rel}"`;
  const lastPage = Math.max(0, Math.ceil(total / perPage) - 1);
  const links = [link('first', 0)];
  if (page < lastPage) links.push(link('next', page + 1));
  if (page > 0) links.push(link('prev', Math.min(page - 1, lastPage)));
  links.push(link('last', lastPage));
  reply.header('x-total-count', String(total));
  reply.header('link', links.join(','));
}
