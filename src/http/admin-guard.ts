import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PortaError } from './errors.js';
import { sendError } from './writer.js';
import { mediaTypeOf } from './body.js';
import { sha256 } from '../x/hmac.js';
import { errAdminCrossSite, errAdminKeyRequired, errUnsupportedMediaType } from './catalogue/index.js';

export interface AdminGuardOptions {
  /** porta.admin.api_keys; empty means the admin API takes no key (Kratos's behaviour). */
  apiKeys: string[];
  /** serve.admin.base_url (or the URL derived from host and port). */
  adminBaseURL: URL;
  /** False when the base URL was derived: then the port the server really listens on counts as well. */
  baseURLConfigured: boolean;
}

/** Routes answered without a key, so that probes and load balancers need no secret (paths after the /admin rewrite). */
const HEALTH_ROUTES = new Set(['/admin/health/alive', '/admin/health/ready']);

/** Media types the admin API decodes; PATCH also takes RFC 6902's own type (Kratos reads the body whatever its type). */
const JSON_TYPES = new Set(['application/json']);
const PATCH_TYPES = new Set(['application/json', 'application/json-patch+json']);

/** Longer Authorization values cannot carry a configured key (keys are at most 512 characters). */
const MAX_AUTHORIZATION = 1024;

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 7235); undefined otherwise. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header || header.length > MAX_AUTHORIZATION) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer') return undefined;
  const token = header.slice(space + 1).trim();
  return token === '' ? undefined : token;
}

/**
 * The admin server's gate, run before routing decisions reach a handler (onRequest, so no body is read):
 * 1. cross-site browser requests are refused (403): `Sec-Fetch-Site: cross-site`, or an `Origin` other
 *    than the admin API's own. SDKs and curl send neither header and are unaffected; this is what stops
 *    a web page from driving the admin API of a server on the visitor's machine or network;
 * 2. with porta.admin.api_keys set, every route but the health checks needs one of the keys (401);
 * 3. a request with a body must declare JSON (415): a text/plain POST is a "simple" cross-origin request
 *    that browsers send without a preflight, so a handler that ignored the type could be driven by a form.
 *    PUT keeps its handler's own check (Kratos's decoder answers 400 there, and PUT always needs a preflight).
 */
export function registerAdminGuard(app: FastifyInstance, opts: AdminGuardOptions): void {
  const keyDigests = opts.apiKeys.map(sha256);
  let origins: Set<string> | undefined;

  // Computed at the first request, when the server is listening (a derived base URL may say port 0).
  function allowedOrigins(): Set<string> {
    if (origins) return origins;
    const set = new Set([opts.adminBaseURL.origin]);
    if (opts.baseURLConfigured) return (origins = set);
    const address = app.server.address();
    if (!address || typeof address === 'string') return set;
    const listening = new URL(opts.adminBaseURL.href);
    listening.port = String(address.port);
    set.add(listening.origin);
    return (origins = set);
  }

  function crossSite(req: FastifyRequest): boolean {
    const site = req.headers['sec-fetch-site'];
    if (typeof site === 'string' && site.split(',').some((v) => v.trim().toLowerCase() === 'cross-site')) return true;
    const origin = req.headers.origin;
    return origin !== undefined && !allowedOrigins().has(origin);
  }

  // Hash both sides to one length, compare every key in constant time, never stop at the first match.
  function keyAccepted(req: FastifyRequest): boolean {
    const token = bearerToken(req.headers.authorization);
    const digest = sha256(token ?? '');
    let ok = false;
    for (const k of keyDigests) ok = timingSafeEqual(digest, k) || ok;
    return ok && token !== undefined;
  }

  function mediaTypeRefused(req: FastifyRequest): PortaError | undefined {
    if (req.method === 'PUT' || req.method === 'GET' || req.method === 'HEAD') return undefined;
    const length = req.headers['content-length'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
    if (!hasBody) return undefined;
    const allowed = req.method === 'PATCH' ? PATCH_TYPES : JSON_TYPES;
    const type = mediaTypeOf(req);
    return type !== undefined && allowed.has(type) ? undefined : errUnsupportedMediaType(req.method, req.headers['content-type'] ?? '', allowed);
  }

  // A callback hook that answers does not call done(); nothing is returned (a reply is thenable).
  app.addHook('onRequest', (req, reply, done) => {
    const route = req.routeOptions.url;
    const refused = crossSite(req)
      ? errAdminCrossSite()
      : keyDigests.length > 0 && !(route !== undefined && HEALTH_ROUTES.has(route)) && !keyAccepted(req)
        ? errAdminKeyRequired()
        : mediaTypeRefused(req);
    if (!refused) return done();
    if (refused.code === 401) reply.header('www-authenticate', 'Bearer');
    sendError(req, reply, refused);
  });
}
