import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { CorsSettings } from '../config/config.js';

/**
 * CORS origin matching: exact origins, `*` for any, or `scheme://*.domain` matching one or more labels
 * in front of the domain (never the domain's suffix inside a label: `*.example.com` does not match
 * `evilexample.com`).
 */
export function originAllowed(origin: string, allowed: string[]): boolean {
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (o.origin !== origin.toLowerCase().replace(/\/$/, '') && o.origin !== origin) return false;
  for (const entry of allowed) {
    if (entry === '*') return true;
    const wild = /^([a-z][a-z0-9+.-]*):\/\/\*\.(.+)$/i.exec(entry);
    if (wild) {
      let base: URL;
      try {
        base = new URL(`${wild[1]}://${wild[2]}`);
      } catch {
        continue;
      }
      if (o.protocol === base.protocol && o.port === base.port && o.hostname.endsWith(`.${base.hostname}`)) return true;
      continue;
    }
    try {
      if (new URL(entry).origin === o.origin) return true;
    } catch {
      /* an unparsable entry never matches */
    }
  }
  return false;
}

function appendVary(reply: FastifyReply, value: string): void {
  const vary = reply.getHeader('vary');
  reply.header('vary', vary ? `${String(vary)}, ${value}` : value);
}

const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';
/** The longest origin worth parsing: an origin is a scheme, a host name (at most 253) and a port. */
const MAX_ORIGIN = 300;

/**
 * The public server's CORS handling with the semantics of rs/cors (what Kratos wraps its public router
 * in): a preflight (OPTIONS with Access-Control-Request-Method) is always answered 204 here, with the
 * CORS headers only when origin, method and headers are allowed; other requests get the headers and go
 * on. A `*` entry (or an empty list) answers the literal `*`, never the caller's origin, so browsers refuse
 * to expose credentialed responses to arbitrary sites; listed origins and `*.` entries are echoed.
 */
export function corsHook(c: CorsSettings): (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void {
  const anyOrigin = c.allowedOrigins.length === 0 || c.allowedOrigins.includes('*');
  const methods = new Set(c.allowedMethods.map((m) => m.toUpperCase()));
  const anyHeader = c.allowedHeaders.includes('*');
  const headers = new Set(c.allowedHeaders.map((h) => h.toLowerCase()));
  // rs/cors writes exposed header names in Go's canonical form (Content-Type, X-Session-Token).
  const exposed = c.exposedHeaders.map((h) => h.toLowerCase().replace(/(^|-)([a-z])/g, (_m, d: string, ch: string) => d + ch.toUpperCase())).join(', ');
  const maxAge = c.maxAge > 0 ? String(c.maxAge) : undefined;

  const allowed = (origin: string) => anyOrigin || (origin.length <= MAX_ORIGIN && originAllowed(origin, c.allowedOrigins));
  const methodAllowed = (m: string) => m === 'OPTIONS' || methods.has(m);
  const headersAllowed = (list: string) => anyHeader || list.split(',').every((h) => h.trim() === '' || headers.has(h.trim().toLowerCase()));

  return (req, reply, done) => {
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : '';
    const requestMethod = req.headers['access-control-request-method'];
    if (req.method === 'OPTIONS' && typeof requestMethod === 'string' && requestMethod !== '') {
      appendVary(reply, PREFLIGHT_VARY);
      const requestHeaders = req.headers['access-control-request-headers'];
      const asked = typeof requestHeaders === 'string' ? requestHeaders : '';
      if (origin !== '' && allowed(origin) && methodAllowed(requestMethod) && headersAllowed(asked)) {
        reply.header('access-control-allow-origin', anyOrigin ? '*' : origin);
        reply.header('access-control-allow-methods', requestMethod);
        if (asked !== '') reply.header('access-control-allow-headers', asked);
        if (c.allowCredentials) reply.header('access-control-allow-credentials', 'true');
        if (maxAge) reply.header('access-control-max-age', maxAge);
      }
      reply.code(204).send();
      return;
    }
    appendVary(reply, 'Origin');
    if (origin !== '' && allowed(origin) && methodAllowed(req.method)) {
      reply.header('access-control-allow-origin', anyOrigin ? '*' : origin);
      if (exposed !== '') reply.header('access-control-expose-headers', exposed);
      if (c.allowCredentials) reply.header('access-control-allow-credentials', 'true');
    }
    done();
  };
}
