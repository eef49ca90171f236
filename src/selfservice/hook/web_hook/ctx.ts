import type { FastifyRequest } from 'fastify';
import type { Config } from '../../../config/config.js';
import { identityToJSON } from '../../../identity/json.js';
import { sessionToJSON } from '../../../session/json.js';
import { dataOf, flowToJSON } from '../../flow/model.js';
import { requestURL } from '../../flow/url.js';
import type { HookContext } from '../types.js';
import { canonicalHeader } from './config.js';

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

export interface CtxDeps {
  config: Config;
  /** Porta's own cookies (session, CSRF): never handed to a receiver, so it can never hold a usable session. */
  ownCookies: ReadonlySet<string>;
  /** clients.web_hook.header_allowlist, canonical names. */
  headerAllowlist: ReadonlySet<string>;
}

/** The request's headers named in the allow-list, canonical names, every value in order (Go's http.Header). */
// Logout hooks never see a credential, whatever the allow-list says.
const CREDENTIAL_HEADERS = new Set(['Cookie', 'Authorization', 'X-Session-Token']);

function allowedHeaders(req: FastifyRequest, allow: ReadonlySet<string>, logout: boolean): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const raw = req.raw.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = canonicalHeader(raw[i]);
    if (!allow.has(name) || (logout && CREDENTIAL_HEADERS.has(name))) continue;
    (out[name] ??= []).push(raw[i + 1]);
  }
  return out;
}

/** Every cookie of the request as name → value (later duplicates win, nameless skipped), minus Porta's own. */
function cookiesOf(req: FastifyRequest, own: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  const header = req.headers.cookie;
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || own.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    out[name] = value;
  }
  return out;
}

function flowOf(ctx: HookContext): Record<string, unknown> {
  const f = ctx.flow;
  if ('returnTo' in f) return { type: f.type, return_to: f.returnTo };
  const out = flowToJSON(f);
  const tp = dataOf(f).transient_payload;
  if (tp !== undefined) out.transient_payload = tp;
  return out;
}

/**
 * Kratos's web hook `ctx` (the Jsonnet top-level argument): the flow's public JSON, the identity without
 * credentials or admin metadata, the session where the point has one, and the incoming request
 * (allow-listed headers, method, URL, cookies). Tokens never appear: sessions marshal without them,
 * and Porta's session and CSRF cookies are dropped from request_cookies.
 */
export function buildCtx(deps: CtxDeps, ctx: HookContext): Record<string, unknown> {
  const logout = 'returnTo' in ctx.flow ? ctx.flow : undefined;
  const out: Record<string, unknown> = {
    flow: flowOf(ctx),
    request_headers: allowedHeaders(ctx.req, deps.headerAllowlist, logout !== undefined),
    request_method: ctx.req.method,
    request_url: logout ? logout.requestURL : requestURL(ctx.req),
    request_cookies: cookiesOf(ctx.req, deps.ownCookies),
  };
  if (ctx.identity) {
    const identity = identityToJSON(ctx.identity, { config: deps.config, credentials: 'none', metadataAdmin: false });
    if (ctx.identity.id === NIL_UUID) {
      identity.created_at = GO_ZERO_TIME;
      identity.updated_at = GO_ZERO_TIME;
    }
    out.identity = identity;
  }
  if (ctx.session) out.session = sessionToJSON(ctx.session, { config: deps.config, identity: ctx.identity, devices: true });
  return out;
}
