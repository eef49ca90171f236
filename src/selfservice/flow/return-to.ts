import { posix } from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { getDomain } from 'tldts';
import type { Config } from '../../config/config.js';
import { queryOf } from '../../http/query.js';
import { errReturnToForbidden, errReturnToUnparsable, RETURN_TO_FORBIDDEN } from '../../http/catalogue/index.js';

export interface ReturnTo {
  url: URL;
  /** What goes into Location and logout_url: the input unchanged when already canonical, else url.href. */
  href: string;
}

/** One allow-list entry. A relative entry (`/foo`) takes the scheme and host of the flow's default URL. */
interface AllowEntry {
  source: string;
  protocol?: string;
  /** Exact lower-case hostname, or the registrable base of a `*.base` wildcard. */
  hostname?: string;
  wildcard: boolean;
  port: string;
  path: string;
}

export { RETURN_TO_FORBIDDEN, errReturnToForbidden };

/**
 * The WHATWG serialisation of `url`, except that a bare origin keeps the form it was given in
 * (`https://www.ory.sh` stays without the slash, as Kratos returns it). Anything else that is not
 * canonical (`https://www.ory.sh#x`, `?x=1` without a path) is written as the parsed URL, so that
 * `Location` is exactly what a browser makes of it.
 */
export function canonicalHref(raw: string, url: URL): string {
  if (raw === url.href) return raw;
  if (url.pathname === '/' && url.search === '' && url.hash === '' && raw === `${url.protocol}//${url.host}`) return raw;
  return url.href;
}

// A value a browser would not read the way a string comparison does: controls (WHATWG strips TAB/LF/CR
// and leading C0), backslashes (read as slashes in http(s) URLs).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const HOSTILE = /[\x00-\x1f\x7f\\]/;
// Encoded separators and traversal, and path parameters, in a path that a path-scoped entry must contain.
const PATH_TRICKS = /%2f|%5c|%2e|;/i;

/**
 * The one return_to validator of every flow: Kratos's allow-list semantics (kratos-logout-spec.md §2)
 * with the contract's hardening: WHATWG parsing, hostile forms refused before matching, exact
 * scheme/host/port, bounded `*.` wildcards, and path matching on a segment boundary.
 */
export class ReturnToValidator {
  private readonly entries: AllowEntry[];

  constructor(readonly config: Config, readonly logger: Logger) {
    this.entries = [];
    for (const raw of config.allowedReturnURLs ?? []) {
      if (raw === '') continue;
      const entry = parseEntry(raw);
      if (typeof entry === 'string') {
        logger.warn({ entry: raw }, `selfservice.allowed_return_urls: ignoring entry: ${entry}`);
        continue;
      }
      this.entries.push(entry);
    }
    // Kratos's SecureRedirectAllowSelfServiceURLs: <public base_url>/self-service is always allowed.
    const base = config.publicBaseURL;
    const selfService = parseEntry(`${base.protocol}//${base.host}${posix.join(base.pathname, '/self-service')}`);
    if (typeof selfService !== 'string') this.entries.push(selfService);
  }

  /**
   * Reads `return_to` from the request's query once. Undefined when absent or empty. Throws PortaError
   * 400 `self_service_flow_return_to_forbidden` when repeated, hostile, or not allowed. Relative values
   * resolve against `defaultURL()`, built only when there is a value to resolve (the configured URLs are
   * parsed on each read, which the logouts would otherwise pay on every request).
   */
  fromRequest(req: FastifyRequest, defaultURL: () => URL): ReturnTo | undefined {
    const values = queryOf(req).getAll('return_to');
    const given = values.filter((v) => v !== '');
    if (given.length === 0) return undefined;
    // Parameter pollution: servers and proxies disagree on which copy wins, so none does.
    if (values.length > 1) throw errReturnToForbidden(given[0]);
    return this.validate(given[0], defaultURL());
  }

  /** Validates one raw value (same rules). */
  validate(raw: string, defaultURL: URL): ReturnTo {
    if (HOSTILE.test(raw) || raw !== raw.trim()) throw errReturnToForbidden(raw);
    let url: URL;
    try {
      url = new URL(raw, defaultURL);
    } catch {
      throw errReturnToUnparsable(raw);
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
      throw errReturnToForbidden(raw);
    }
    const href = canonicalHref(raw, url);
    if (!this.entries.some((e) => matches(e, url, defaultURL))) throw errReturnToForbidden(href);
    return { url, href };
  }

  /** The allow-list as it is enforced (for diagnostics and tests). */
  get allowList(): string[] {
    return this.entries.map((e) => e.source);
  }
}

function parseEntry(raw: string): AllowEntry | string {
  if (raw.startsWith('/') && !raw.startsWith('//')) {
    try {
      return { source: raw, wildcard: false, port: '', path: new URL(raw, 'http://relative.invalid').pathname };
    } catch {
      return 'not a valid URL or absolute path';
    }
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a valid URL or absolute path';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'only http and https URLs can be return targets';
  if (url.username || url.password) return 'user info is not allowed';
  let hostname = url.hostname;
  let wildcard = false;
  if (hostname.includes('*')) {
    const base = hostname.startsWith('*.') ? hostname.slice(2) : '';
    // Only `*.` followed by a registrable domain (eTLD+1 or below, private suffixes included, as Go's
    // publicsuffix does): `*`, `*.com`, `*.co.uk`, `*.vercel.app`, `*foo.com` and `foo.*.com` are unsafe.
    if (!base || base.includes('*') || getDomain(base, { allowPrivateDomains: true }) === null) {
      return 'unsafe wildcard: only "*." followed by a registrable domain is allowed';
    }
    hostname = base;
    wildcard = true;
  }
  return { source: raw, protocol: url.protocol, hostname, wildcard, port: url.port, path: url.pathname };
}

function matches(e: AllowEntry, url: URL, defaultURL: URL): boolean {
  const protocol = e.protocol ?? defaultURL.protocol;
  const hostname = e.hostname ?? defaultURL.hostname;
  const port = e.hostname === undefined ? defaultURL.port : e.port;
  if (url.protocol !== protocol || url.port !== port) return false;
  if (e.wildcard) {
    if (!url.hostname.endsWith(`.${hostname}`)) return false;
  } else if (url.hostname !== hostname) return false;
  return pathMatches(url.pathname, e.path);
}

function pathMatches(path: string, allowed: string): boolean {
  if (allowed === '/' || allowed === '') return true;
  if (PATH_TRICKS.test(path)) return false;
  if (allowed.endsWith('/')) return path.startsWith(allowed);
  return path === allowed || path.startsWith(`${allowed}/`);
}
