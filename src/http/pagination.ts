import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Query } from './query.js';
import { parseGoInt, parseUUID } from './go-params.js';
import { requestLinkWith } from '../x/go/url.js';
import { errPageToken, errParam } from './catalogue/index.js';

// ---- Offset pagination with a total (Kratos's migrationpagination: /sessions, /admin/identities/{id}/sessions)

export interface OffsetPage {
  page: number;
  perPage: number;
}

function offsetToken(offset: number): string {
  return Buffer.from(`{"offset":"${offset}","v":2}`).toString('base64url');
}

function offsetOf(token: string): number {
  // Kratos ignores an undecodable token (offset 0); so does this.
  if (!/^[A-Za-z0-9_-]*$/.test(token)) return 0;
  const m = /"offset"\s*:\s*"?(-?\d+)/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  const n = m ? Number(m[1]) : 0;
  return Number.isSafeInteger(n) ? n : 0;
}

/** migrationpagination.ParsePagination: page_token/page_size when either is present, else page/per_page. */
export function parseOffsetPage(q: Query): OffsetPage {
  const clamp = (n: number) => Math.min(Math.max(n, 1), 1000);
  if (q.has('page_token') || q.has('page_size')) {
    const perPage = clamp(parseGoInt(q.get('page_size') ?? '') ?? 250);
    const offset = q.get('page_token') ? offsetOf(q.get('page_token') as string) : 0;
    return { page: Math.max(0, offset > 0 ? Math.floor(offset / perPage) : 0), perPage };
  }
  const page = parseGoInt(q.get('page') ?? '') ?? 0;
  return { page: Math.max(0, page), perPage: clamp(parseGoInt(q.get('per_page') ?? '') ?? 250) };
}

/** Kratos's pagination.HeaderWithFormatter with the migrationpagination link format, plus X-Total-Count. */
export function setOffsetHeaders(req: FastifyRequest, reply: FastifyReply, total: number, { page, perPage }: OffsetPage): void {
  const link = (rel: string, size: number, offset: number) =>
    `<${requestLinkWith(req.url, { page_size: String(size), page_token: offsetToken(offset), per_page: String(size), page: String(Math.trunc(offset / size)) })}>; rel="${rel}"`;
  const offset = page * perPage;
  const lastOffset = total % perPage === 0 ? total - perPage : Math.floor(total / perPage) * perPage;
  reply.header('x-total-count', String(total));
  let links: string[];
  if (offset >= lastOffset) {
    if (total === 0) {
      const cur = Math.floor(offset / perPage);
      links = [link('first', perPage, 0), link('next', perPage, (cur + 1) * perPage), link('prev', perPage, (cur - 1) * perPage)];
    } else if (total <= perPage) links = [link('first', total, 0)];
    else links = [link('first', perPage, 0), link('prev', perPage, lastOffset - perPage)];
  } else if (offset < perPage) {
    links = [link('next', perPage, perPage), link('last', perPage, lastOffset)];
  } else {
    const cur = Math.floor(offset / perPage);
    links = [link('first', perPage, 0), link('next', perPage, (cur + 1) * perPage), link('prev', perPage, (cur - 1) * perPage), link('last', perPage, lastOffset)];
  }
  reply.header('link', links.join(','));
}

// ---- Keyset pagination (Kratos's keysetpagination: /admin/sessions)

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const RAW_STD_B64 = /^[A-Za-z0-9+/]*$/;

export interface KeysetPage {
  size: number;
  /** The store's opaque token; undefined for the first page. */
  storeToken?: string;
}

function encodeKeyset(lastId: string, storeToken?: string): string {
  return Buffer.from(storeToken === undefined ? `id=${lastId}` : `id=${lastId}/page=${storeToken}`).toString('base64').replace(/={1,2}$/, '');
}

/**
 * keysetpagination.Parse + the session list's checks. Tokens look like Kratos's (unpadded base64 of
 * `id=<uuid>/...`) and wrap the store's own keyset token.
 */
export function parseKeysetPage(q: Query): KeysetPage {
  const malformed = () => errParam('page_size');
  let storeToken: string | undefined;
  const pt = q.getAll('page_token').find((v) => v !== '');
  if (pt !== undefined) {
    let raw: string;
    try {
      raw = decodeURIComponent(pt.replace(/\+/g, ' '));
    } catch {
      throw malformed();
    }
    if (!RAW_STD_B64.test(raw) || raw.length % 4 === 1) throw malformed();
    const text = Buffer.from(raw, 'base64').toString('utf8');
    const sep = text.indexOf('/page=');
    const head = sep < 0 ? text : text.slice(0, sep);
    const id = head.startsWith('id=') ? head.slice(3) : '';
    try {
      parseUUID(id);
    } catch {
      throw errPageToken();
    }
    if (sep >= 0) storeToken = text.slice(sep + '/page='.length);
  }
  let size = 0;
  const ps = q.getAll('page_size').find((v) => v !== '');
  if (ps !== undefined) {
    const n = parseGoInt(ps);
    if (n === undefined) throw malformed();
    size = n;
  }
  if (size <= 0) size = 250;
  return { size: Math.min(size, 1000), storeToken };
}

/** keysetpagination.Header: always a `first` link, and `next` unless this is the last page. */
export function setKeysetHeaders(req: FastifyRequest, reply: FastifyReply, size: number, next?: { lastId: string; storeToken: string }): void {
  const link = (rel: string, token: string) => `<${requestLinkWith(req.url, { page_token: token, page_size: String(size) })}>; rel="${rel}"`;
  const links = [link('first', encodeKeyset(NIL_UUID))];
  if (next) links.push(link('next', encodeKeyset(next.lastId, next.storeToken)));
  reply.header('link', links.join(','));
}
