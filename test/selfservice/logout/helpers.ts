import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../../helpers/harness.js';
import { setCookies } from '../../helpers/jar.js';
import { seedLogin } from '../../helpers/seed.js';

export const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
export const JSONREQ = { accept: 'application/json' };
export const SESSION_INACTIVE = {
  id: 'session_inactive',
  code: 401,
  status: 'Unauthorized',
  reason: 'No active session was found in this request.',
  message: 'request does not have a valid authentication session',
};
export const TOKEN_MISMATCH = 'Unable to log out because the logout token in the URL query does not match the session cookie.';
export const NO_TOKEN = 'Please include a token in the URL query.';
export const NATIVE_UNKNOWN = {
  error: {
    code: 403,
    status: 'Forbidden',
    reason: 'The provided Ory Session Token could not be found, is invalid, or otherwise malformed.',
    message: 'The requested action was forbidden',
  },
};
export const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
export const LOGOUT_TOKEN = /^ory_lo_[A-Za-z0-9]{32}$/;

export function get(t: TestApp, url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return t.app.public.inject({ method: 'GET', url, headers });
}

/** GET /self-service/logout/browser as JSON; returns logout_url / logout_token. */
export async function logoutFlow(t: TestApp, headers: Record<string, string>, query = ''): Promise<{ logout_url: string; logout_token: string }> {
  const res = await get(t, `/self-service/logout/browser${query}`, { ...JSONREQ, ...headers });
  if (res.statusCode !== 200) throw new Error(`createBrowserLogoutFlow: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** The path+query of an absolute logout URL, for inject. */
export function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

export async function whoami(t: TestApp, headers: Record<string, string>): Promise<number> {
  return (await get(t, '/sessions/whoami', headers)).statusCode;
}

export function sessionSetCookie(t: TestApp, res: LightMyRequestResponse) {
  return setCookies(res.headers as Record<string, unknown>).find((c) => c.name === t.config.sessionCookie.name);
}

export function csrfSetCookie(res: LightMyRequestResponse) {
  return setCookies(res.headers as Record<string, unknown>).find((c) => c.name.startsWith('csrf_token_'));
}

/** Location of a 303 to the error UI → the stored container. */
export async function errorContainer(t: TestApp, location: string): Promise<Record<string, unknown>> {
  const id = new URL(location).searchParams.get('id');
  const res = await get(t, `/self-service/errors?id=${id}`);
  if (res.statusCode !== 200) throw new Error(`error container: ${res.statusCode}`);
  return res.json().error;
}

/** A fresh browser login: cookie C, token ST and its logout URL (path+query). */
export async function browserLogin(t: TestApp, query = '') {
  const s = await seedLogin(t);
  const flow = await logoutFlow(t, { cookie: s.cookie }, query);
  return { ...s, url: pathOf(flow.logout_url), logoutToken: flow.logout_token };
}

/** The contract's headers on every response of the three logout endpoints. */
export function assertHardened(res: { headers: Record<string, unknown> }): void {
  assert.match(String(res.headers['cache-control']), /\bno-store\b/);
  assert.equal(res.headers['referrer-policy'], 'no-referrer');
}

/** The session cookie is cleared with the attributes it was set with (reference config: dev, Lax, Path=/). */
export function assertSessionCleared(t: TestApp, res: LightMyRequestResponse): void {
  const c = sessionSetCookie(t, res);
  assert.ok(c, 'session cookie is cleared');
  assert.equal(c.attributes['max-age'], '0');
  assert.equal(c.attributes.expires, 'Thu, 01 Jan 1970 00:00:01 GMT');
  assert.equal(c.attributes.path, '/');
  assert.equal(c.attributes.httponly, true);
  assert.equal(c.attributes.samesite, 'Lax');
  assert.equal(c.attributes.secure, undefined, 'dev: not Secure, as it was set');
}
