import type { FastifyRequest } from 'fastify';
import { decodeSessionCookie, MAX_TOKEN_LENGTH, readCookie, type SessionCookiePayload } from './cookie.js';

export interface ExtractedToken {
  token: string;
  via: 'header' | 'cookie' | 'bearer';
  /** The decoded cookie when the token came from it (whoami compares its expires_at). */
  cookie?: SessionCookiePayload;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Kratos's bearerTokenFromRequest: exactly two parts split on one space, scheme compared case-insensitively. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const parts = (authorization ?? '').split(' ');
  return parts.length === 2 && parts[0].toLowerCase() === 'bearer' ? parts[1] : undefined;
}

/**
 * Kratos's extractToken order: X-Session-Token, then the session cookie, then the bearer token. A
 * cookie that does not verify is treated as absent (Kratos falls back to the bearer token too).
 * Oversized tokens are dropped here so nothing downstream hashes or looks them up.
 */
export function extractToken(req: FastifyRequest, cookieName: string, secrets: string[]): ExtractedToken | null {
  const fromHeader = header(req, 'x-session-token');
  if (fromHeader !== undefined && fromHeader.length > 0) {
    return fromHeader.length <= MAX_TOKEN_LENGTH ? { token: fromHeader, via: 'header' } : null;
  }
  const raw = readCookie(req.headers.cookie, cookieName);
  if (raw !== undefined) {
    const cookie = decodeSessionCookie(secrets, raw);
    if (cookie) return { token: cookie.token, via: 'cookie', cookie };
  }
  const bearer = bearerToken(header(req, 'authorization'));
  if (bearer !== undefined && bearer.length > 0 && bearer.length <= MAX_TOKEN_LENGTH) return { token: bearer, via: 'bearer' };
  return null;
}
