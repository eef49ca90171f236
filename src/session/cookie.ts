import { fixedKeyHmac, type FixedKeyHmac } from '../x/hmac.js';
import { serialize, type SerializeOptions } from 'cookie';
import { cookieValue } from '../x/cookie-header.js';
import type { CookieSettings } from '../config/config.js';
import { randomAlnum, safeEqual } from '../x/tokens.js';

/** What a session cookie carries. Clients treat the value as opaque, as they do Kratos's securecookie. */
export interface SessionCookiePayload {
  token: string;
  /** The session's expires_at when the cookie was issued: whoami re-issues when the session has moved on. */
  expiresAt: Date;
  nonce: string;
}

// A token is 39 chars; anything much larger is garbage and is dropped before any crypto runs.
export const MAX_TOKEN_LENGTH = 512;
const MAX_COOKIE_VALUE_LENGTH = 2048;
const MAC_CONTEXT = 'porta/session-cookie/v1\n';

// One keyed MAC per configured secret, built on first use.
const macs = new Map<string, FixedKeyHmac>();
function mac(secret: string): FixedKeyHmac {
  let m = macs.get(secret);
  if (!m) macs.set(secret, (m = fixedKeyHmac(secret, MAC_CONTEXT)));
  return m;
}

/**
 * Encodes `token|expires_ms|nonce` as base64url plus an HMAC-SHA256 under the first secret. The nonce
 * makes every issuance differ (Kratos's "case=immutability"), so a re-issued cookie is observable.
 */
export function encodeSessionCookie(secret: string, token: string, expiresAt: Date): string {
  const payload = `${token}|${expiresAt.getTime()}|${randomAlnum(8)}`;
  return `${Buffer.from(payload, 'utf8').toString('base64url')}.${mac(secret).base64url(payload)}`;
}

/**
 * Verifies a cookie value against every secret (constant time each) and returns its payload, or null
 * for anything malformed, forged, oversized or signed with a retired secret: such a cookie counts as
 * absent, never as an error.
 */
export function decodeSessionCookie(secrets: string[], value: string): SessionCookiePayload | null {
  if (value.length === 0 || value.length > MAX_COOKIE_VALUE_LENGTH) return null;
  const dot = value.indexOf('.');
  // A 32-byte MAC is 43 characters of unpadded base64url.
  if (dot <= 0 || value.length - dot - 1 !== 43) return null;
  const body = value.slice(0, dot);
  const sig = value.slice(dot + 1);
  const payloadBytes = Buffer.from(body, 'base64url');
  // Only the canonical encoding is accepted: the decoder skips characters outside the alphabet (a second
  // dot, padding, anything else) and ignores the spare bits of the last character, so re-encoding gives
  // back the same text only for a canonical value. The MAC is compared as the text it is sent as, which
  // holds it to its canonical form too, and costs no decoding.
  if (payloadBytes.toString('base64url') !== body) return null;
  let ok = false;
  for (const secret of secrets) {
    // No early exit: every secret is tried so the time taken does not reveal which one matched.
    if (safeEqual(mac(secret).base64url(payloadBytes), sig)) ok = true;
  }
  if (!ok) return null;
  const payload = payloadBytes.toString('utf8');
  const parts = payload.split('|');
  if (parts.length !== 3) return null;
  const [token, ms, nonce] = parts;
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^\d{1,16}$/.test(ms)) return null;
  return { token, expiresAt: new Date(Number(ms)), nonce };
}

/**
 * The raw value of the named cookie in a Cookie header (first occurrence, as Go's r.Cookie), or
 * undefined. Not decoded: our values are plain base64url, and a tampered %-sequence must not be "repaired".
 */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  return cookieValue(Array.isArray(header) ? header.join('; ') : header, name);
}

function baseOptions(s: CookieSettings): SerializeOptions {
  return {
    path: s.path,
    domain: s.domain,
    httpOnly: true,
    secure: s.secure,
    sameSite: s.sameSite.toLowerCase() as 'lax' | 'strict' | 'none',
    encode: (v) => v,
  };
}

/** The Set-Cookie line that issues a session cookie (Max-Age and Expires only when persistent). */
export function sessionSetCookie(s: CookieSettings, value: string, expiresAt: Date, now = Date.now()): string {
  const opts = baseOptions(s);
  if (s.persistent) {
    opts.maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now) / 1000));
    opts.expires = new Date(now + opts.maxAge * 1000);
  }
  return serialize(s.name, value, opts);
}

/** The Set-Cookie line that removes the session cookie: same scope, Max-Age=0, Expires at 1970-01-01 00:00:01. */
export function sessionClearCookie(s: CookieSettings): string {
  let line = clearLines.get(s);
  if (line === undefined) clearLines.set(s, (line = serialize(s.name, '', { ...baseOptions(s), maxAge: 0, expires: new Date(1000) })));
  return line;
}
// Every logout sends the same clearing line for the same settings: serialised once.
const clearLines = new WeakMap<CookieSettings, string>();
