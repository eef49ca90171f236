import type { TLSSocket } from 'node:tls';
import { posix } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { goEncodeValues } from '../errors/redirect.js';
import { errLogoutHead, errLogoutPrefetch } from '../../http/catalogue/index.js';

function header(req: FastifyRequest, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v.join(',') : v) ?? '';
}

/**
 * Browsers announce speculative loads (link prefetch, prerender, Chrome's speculation rules, Firefox's
 * X-Moz). Such a request must never log anyone out (ASVS 5.0 3.5.3).
 */
export function isPrefetch(req: FastifyRequest): boolean {
  return /prefetch|prerender/i.test(`${header(req, 'sec-purpose')} ${header(req, 'purpose')} ${header(req, 'x-purpose')}`) || /prefetch/i.test(header(req, 'x-moz'));
}

export const errPrefetch = errLogoutPrefetch;

/** HEAD is a safe method (RFC 9110): link checkers and scanners send it, and it must not end a session. */
export const errHead = errLogoutHead;

/** Kratos's x.RequestURL scheme: X-Forwarded-Proto, else https when the connection is TLS. */
export function isHttps(req: FastifyRequest): boolean {
  const forwarded = header(req, 'x-forwarded-proto').split(',')[0].trim().toLowerCase();
  if (forwarded) return forwarded === 'https';
  return (req.raw.socket as TLSSocket).encrypted === true;
}

/**
 * `<public base_url>/self-service/logout?return_to=...&token=...` as Kratos builds it: path.Join on the
 * base path, url.Values encoding (keys sorted, QueryEscape), independent of the request's Host.
 */
export function logoutURL(base: URL, token: string, returnTo?: string): string {
  const q = new Map<string, string[]>([['token', [token]]]);
  if (returnTo !== undefined) q.set('return_to', [returnTo]);
  return `${base.protocol}//${base.host}${posix.join(base.pathname, '/self-service/logout')}?${goEncodeValues(q)}`;
}
