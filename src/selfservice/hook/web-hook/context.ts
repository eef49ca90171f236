import type { FastifyRequest } from 'fastify';
import type { Config } from '../../../config/config.js';
import type { WebHookClientConfig } from '../../../config/web-hook.js';
import { identityToJSON } from '../../../identity/json.js';
import type { Identity } from '../../../identity/types.js';
import type { Session } from '../../../session/types.js';
import { sessionToJSON } from '../../../session/json.js';
import { decodeFlowBody } from '../../flow/decode.js';
import { requestURL } from '../../flow/url.js';

/** What the hook's template sees as `ctx` (Kratos's templateContext; spec A.5). */
export interface TemplateContext {
  flow: Record<string, unknown>;
  request_headers: Record<string, string[]>;
  request_method: string;
  request_url: string;
  request_cookies: Record<string, string>;
  identity?: Record<string, unknown>;
  session?: Record<string, unknown>;
}

/** Go's textproto canonical form: `x-secret` → `X-Secret`. */
function canonical(name: string): string {
  return name
    .split('-')
    .map((p) => (p ? p[0].toUpperCase() + p.slice(1).toLowerCase() : p))
    .join('-');
}

/** Only the allowlisted request headers, keyed by canonical name, each as a list (Kratos's RemoveDisallowedHeaders). */
function allowedHeaders(req: FastifyRequest, allow: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || !allow.includes(name.toLowerCase())) continue;
    out[canonical(name)] = Array.isArray(value) ? value : [value];
  }
  return out;
}

/**
 * The request's cookies as name → value (later duplicates win), without Porta's own session and CSRF
 * cookies: a hook receiver must never hold a credential for the person (issue 12, answer 2).
 */
function cookiesOf(req: FastifyRequest, hidden: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  const header = req.headers.cookie;
  if (typeof header !== 'string') return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || hidden.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    out[name] = value;
  }
  return out;
}

export interface ContextParts {
  flow: Record<string, unknown>;
  identity?: Identity;
  session?: Session;
}

/** Builds `ctx`; members that do not apply are left out, never null (Kratos's omitempty). */
export function templateContext(
  deps: { config: Config; client: WebHookClientConfig; hiddenCookies: ReadonlySet<string> },
  req: FastifyRequest,
  parts: ContextParts,
): TemplateContext {
  const ctx: TemplateContext = {
    flow: parts.flow,
    request_headers: allowedHeaders(req, deps.client.headerAllowlist),
    request_method: req.method,
    request_url: requestURL(req),
    request_cookies: cookiesOf(req, deps.hiddenCookies),
  };
  if (parts.identity) ctx.identity = identityToJSON(parts.identity, { config: deps.config, credentials: 'none', metadataAdmin: false }) as Record<string, unknown>;
  if (parts.session && parts.identity) {
    ctx.session = sessionToJSON(parts.session, { config: deps.config, identity: parts.identity, devices: true }) as Record<string, unknown>;
  }
  return ctx;
}

/** `transient_payload` of the submission, copied into `ctx.flow` and never stored (Kratos). */
export function transientPayload(req: FastifyRequest): unknown {
  if (req.method !== 'POST' || !Buffer.isBuffer(req.body) || req.body.length === 0) return undefined;
  try {
    const tp = decodeFlowBody(req).transient_payload;
    return tp && typeof tp === 'object' && !Array.isArray(tp) ? tp : undefined;
  } catch {
    return undefined;
  }
}
