import { createHash, timingSafeEqual } from 'node:crypto';
import { pooledRandomBytes } from '../x/random.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cookieValue } from '../x/cookie-header.js';
import type { Config } from '../config/config.js';
import { PortaError } from './errors.js';
import { mediaTypeOf } from './body.js';
import { sendError } from './writer.js';
import { errCsrfViolation } from './catalogue/index.js';

const TOKEN_LENGTH = 32;
/** nosurf's MaxAge: one year. */
const MAX_AGE = 365 * 24 * 60 * 60;
/** Standard base64 of exactly 32 bytes; anything else is treated as "no cookie", as nosurf does. */
const RAW_TOKEN = /^[A-Za-z0-9+/]{43}=$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

const REASON =
  'Please retry the flow and optionally clear your cookies. The request was rejected to protect you from Cross-Site-Request-Forgery (CSRF) which could cause account takeover, leaking personal information, and other serious security issues.';
const MESSAGE = 'the request was rejected to protect you from Cross-Site-Request-Forgery';
const DOCS = 'https://www.ory.com/docs/troubleshooting/csrf';
const HINT_AJAX =
  "We detected an AJAX call, please ensure that CORS is enabled and configured correctly, and that your AJAX code sends cookies and has credentials enabled. For further debugging, check your Browser's Network Tab to see what cookies are included or excluded.";
const HINT_SERVER =
  "We detected a regular browser or server-side call. To debug browser calls check your Browser's Network Tab to see what cookies are included or excluded. If you are calling from a server ensure that the appropriate cookies are being forwarded and that the SDK method is called correctly.";
const NO_COOKIE = 'The HTTP Cookie Header is empty or not set.';
const COOKIE_MISSING = 'The HTTP Cookie Header was set but did not include the anti-CSRF cookie.';
const TOKEN_NOT_SENT =
  'The anti-CSRF cookie was found but the CSRF token was not included in the HTTP request body (csrf_token) nor in the HTTP Header (X-CSRF-Token).';
const TOKEN_MISMATCH =
  'The HTTP Cookie Header was set and a CSRF token was sent but they do not match. We recommend deleting all cookies for this domain and retrying the flow.';

interface CsrfState {
  /** The valid token the request's cookie carried, if any. */
  fromCookie?: Buffer;
  /** The token in effect for this response (the cookie's, or a freshly generated one). */
  current?: Buffer;
  masked?: string;
  /** Set when `current` was generated for this response and no rendering of it has been handed out. */
  fresh?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    portaCsrf?: CsrfState;
  }
}

/**
 * The paths where nosurf neither sets a cookie nor checks a token (API flows, submit endpoints that check
 * the token against their flow, session management, the separate UI app). Each module declares its own,
 * through defineRoutes' `csrf: 'exempt'` or exemptFromCsrf; this file lists none.
 */
class Exemptions {
  readonly exact = new Set<string>();
  readonly prefixes: string[] = [];
  has(path: string): boolean {
    return this.exact.has(path) || this.prefixes.some((p) => path.startsWith(p));
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    portaCsrfExemptions?: Exemptions;
  }
}

/**
 * Exempts a path on a server with CSRF protection (a no-op elsewhere, e.g. on the admin server): an
 * exact path, or with `prefix` every path that starts with it (unknown paths below it included, as nosurf
 * runs before the router).
 */
export function exemptFromCsrf(app: FastifyInstance, path: string, opts: { prefix?: boolean } = {}): void {
  const ex = app.portaCsrfExemptions;
  if (!ex) return;
  if (opts.prefix) ex.prefixes.push(path);
  else ex.exact.add(path);
}

function pathOf(req: FastifyRequest): string {
  const q = req.url.indexOf('?');
  return q < 0 ? req.url : req.url.slice(0, q);
}

function decodeToken(value: string | undefined): Buffer | undefined {
  if (!value) return undefined;
  let v = value.trim();
  try {
    if (v.includes('%')) v = decodeURIComponent(v);
  } catch {
    return undefined;
  }
  if (RAW_TOKEN.test(v)) return Buffer.from(v, 'base64');
  if (v.length === 88 && /^[A-Za-z0-9+/]{86}==$/.test(v)) {
    // A masked token: otp || (real XOR otp).
    const b = Buffer.from(v, 'base64');
    const real = Buffer.alloc(TOKEN_LENGTH);
    for (let i = 0; i < TOKEN_LENGTH; i++) real[i] = b[i] ^ b[i + TOKEN_LENGTH];
    return real;
  }
  return undefined;
}

/**
 * Kratos's nosurf double-submit CSRF protection: a cookie named after the public base URL holding 32
 * random bytes, and masked renderings of it (a fresh one-time pad per response) in forms.
 */
export class CsrfManager {
  readonly cookieName: string;

  constructor(readonly config: Config) {
    this.cookieName = `csrf_token_${createHash('sha256').update(config.publicBaseURL.href).digest('hex')}`;
  }

  /** Installs the middleware on the public server (Vary: Cookie, cookie when missing, unsafe-method check). */
  register(app: FastifyInstance): void {
    const exempt = new Exemptions();
    app.decorate('portaCsrfExemptions', exempt);
    // Callback hooks, not async ones: they run on every public request (whoami and logout included),
    // and an async hook costs a promise per request. Ignored paths need only the Vary header.
    app.addHook('onRequest', (req, reply, done) => {
      const vary = reply.getHeader('vary');
      reply.header('vary', vary ? `${String(vary)}, Cookie` : 'Cookie');
      if (!exempt.has(pathOf(req)) && !this.state(req).fromCookie) this.setNew(req, reply);
      done();
    });
    // The token check needs the body, so it runs once the body is read, but before any handler
    // (including the 404 and 405 ones, as nosurf runs before Kratos's router).
    app.addHook('preHandler', (req, reply, done) => {
      if (SAFE_METHODS.has(req.method) || exempt.has(pathOf(req))) return done();
      const sent = (req.headers['x-csrf-token'] as string | undefined) || this.formToken(req);
      if (this.verify(req, sent)) return done();
      // Answering from a callback hook ends the request: done() is not called.
      sendError(req, reply, this.violation(req));
    });
  }

  /** The request's raw token, generating and setting a cookie when it has none. */
  token(req: FastifyRequest, reply: FastifyReply): string {
    const state = this.state(req);
    if (!state.current) this.setNew(req, reply);
    state.fresh = false;
    return (state.current as Buffer).toString('base64');
  }

  /** A masked rendering of the request's token (one per response), for a csrf_token node. */
  masked(req: FastifyRequest, reply: FastifyReply): string {
    const state = this.state(req);
    if (!state.current) this.setNew(req, reply);
    state.fresh = false;
    if (!state.masked) {
      const otp = pooledRandomBytes(TOKEN_LENGTH);
      const real = state.current as Buffer;
      const out = Buffer.alloc(TOKEN_LENGTH * 2);
      otp.copy(out);
      for (let i = 0; i < TOKEN_LENGTH; i++) out[TOKEN_LENGTH + i] = real[i] ^ otp[i];
      state.masked = out.toString('base64');
    }
    return state.masked;
  }

  /**
   * A masked rendering for re-rendering a flow on a path the middleware ignores: only when the request
   * carries a valid cookie, so a failed submit never swaps the cookie its flow is bound to.
   */
  maskedIfCookie(req: FastifyRequest, reply: FastifyReply): string | undefined {
    return this.state(req).fromCookie ? this.masked(req, reply) : undefined;
  }

  /** Constant-time check of a submitted (masked or raw) token against the request's cookie. */
  verify(req: FastifyRequest, submitted: string | undefined): boolean {
    const fromCookie = this.state(req).fromCookie;
    const sent = decodeToken(submitted);
    // Compare even when one side is missing so the time does not depend on which part failed.
    const a = fromCookie ?? Buffer.alloc(TOKEN_LENGTH);
    const b = sent ?? Buffer.alloc(TOKEN_LENGTH, 1);
    return timingSafeEqual(a, b) && fromCookie !== undefined && sent !== undefined;
  }

  /** Whether the request's CSRF cookie is the one a flow was bound to (its raw token, base64). */
  cookieMatches(req: FastifyRequest, flowToken: string): boolean {
    return flowToken !== '' && this.verify(req, flowToken);
  }

  /** Sets a new CSRF cookie (login, logout), replacing any CSRF cookie this response already sets. */
  regenerate(req: FastifyRequest, reply: FastifyReply): string {
    // A token generated for this very response (the request came without a cookie) is already one no
    // earlier response carried: a second one would only cost random bytes and another Set-Cookie line.
    const state = this.state(req);
    if (!state.fresh) this.setNew(req, reply);
    state.fresh = false;
    return (state.current as Buffer).toString('base64');
  }

  /** The exact Kratos 403 for this request (reject reason and hint chosen as nosurfx.CSRFErrorReason does). */
  violation(req: FastifyRequest, opts: { tokenSent?: boolean } = {}): PortaError {
    const mode = req.headers['sec-fetch-mode'];
    const ajax = mode === 'cors' || mode === 'same-origin';
    const hint = ajax ? HINT_AJAX : HINT_SERVER;
    const make = (details: Record<string, string>) =>
      errCsrfViolation(REASON, MESSAGE, { docs: DOCS, ...details });
    const cookieHeader = req.headers.cookie;
    if (!cookieHeader) return make({ hint, reject_reason: NO_COOKIE });
    if (cookieValue(cookieHeader, this.cookieName) === undefined) return make({ hint, reject_reason: COOKIE_MISSING });
    const ct = req.headers['content-type'] ?? '';
    if (!ct.startsWith('application/json')) {
      const sent = opts.tokenSent ?? Boolean(req.headers['x-csrf-token'] || this.formToken(req) || queryToken(req));
      if (!sent) return make({ hint: TOKEN_NOT_SENT });
    }
    return make({ hint, reject_reason: TOKEN_MISMATCH });
  }

  private state(req: FastifyRequest): CsrfState {
    if (!req.portaCsrf) {
      const header = req.headers.cookie;
      const fromCookie = header ? decodeRaw(percentDecoded(cookieValue(header, this.cookieName))) : undefined;
      req.portaCsrf = { fromCookie, current: fromCookie };
    }
    return req.portaCsrf;
  }

  private setNew(req: FastifyRequest, reply: FastifyReply): void {
    const state = this.state(req);
    state.current = pooledRandomBytes(TOKEN_LENGTH);
    state.masked = undefined;
    state.fresh = true;
    const prefix = `${this.cookieName}=`;
    const existing = reply.getHeader('set-cookie');
    const list = Array.isArray(existing) ? existing : existing === undefined ? [] : [String(existing)];
    const others = list.filter((c) => !c.startsWith(prefix));
    if (others.length !== list.length) {
      reply.removeHeader('set-cookie');
      if (others.length) reply.header('set-cookie', others);
    }
    reply.header('set-cookie', this.serialize(state.current.toString('base64')));
  }

  private serialize(value: string): string {
    const c = this.config.csrfCookie;
    let out = `${this.cookieName}=${value}; Path=${c.path}`;
    if (c.domain) out += `; Domain=${c.domain.replace(/^\./, '')}`;
    out += `; Max-Age=${MAX_AGE}; HttpOnly`;
    if (c.secure) out += '; Secure';
    out += `; SameSite=${c.sameSite}`;
    return out;
  }

  /** The csrf_token field of a form-encoded body, if the request has one. */
  private formToken(req: FastifyRequest): string | undefined {
    if (mediaTypeOf(req) !== 'application/x-www-form-urlencoded' || !Buffer.isBuffer(req.body)) return undefined;
    for (const part of req.body.toString('latin1').split('&')) {
      const eq = part.indexOf('=');
      if (eq < 0 || part.slice(0, eq) !== 'csrf_token') continue;
      try {
        return decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
}

function decodeRaw(value: string | undefined): Buffer | undefined {
  return value && RAW_TOKEN.test(value) ? Buffer.from(value, 'base64') : undefined;
}

/** The `cookie` package's default decoding, which this cookie has always been read with. */
function percentDecoded(value: string | undefined): string | undefined {
  if (value === undefined || !value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function queryToken(req: FastifyRequest): string | undefined {
  const m = /[?&]csrf_token=([^&]*)/.exec(req.url);
  return m && m[1] !== '' ? m[1] : undefined;
}
