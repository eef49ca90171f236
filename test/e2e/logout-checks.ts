import assert from 'node:assert/strict';
import { setCookies } from '../helpers/jar.js';
import { assertSessionInactive, assertWhoami401, burst, call, JSON_ACCEPT, SESSION_COOKIE, tally, type Answer } from './client.js';

/** Shared assertions of the logout end-to-end tests (one process, or several on one database). */

export interface Credentials {
  cookie: string;
  token: string;
  /** Path and query of the cookie session's logout URL (sent to any process). */
  cookieLogoutPath: string;
  /** Path and query of the token session's logout URL. */
  tokenLogoutPath: string;
}

/** The logout URL's path and query for the session carried by `headers` (cookie or X-Session-Token). */
export async function logoutPath(publicURL: string, headers: Record<string, string>): Promise<string> {
  const res = await call(`${publicURL}/self-service/logout/browser`, { headers: { ...JSON_ACCEPT, ...headers } });
  assert.equal(res.status, 200, `createBrowserLogoutFlow: ${res.status} ${JSON.stringify(res.body)}`);
  const url = new URL(res.body.logout_url as string);
  assert.equal(url.searchParams.get('token'), res.body.logout_token);
  return `${url.pathname}${url.search}`;
}

/** Every way a client could still use the old credentials is refused by the process at `publicURL`. */
export async function assertAllRefused(publicURL: string, c: Credentials, where: string): Promise<void> {
  const get = (path: string, headers: Record<string, string>) => call(`${publicURL}${path}`, { headers });
  const [wc, wt, wb, lc, lt, luc, lub, lst, browser] = await Promise.all([
    get('/sessions/whoami', { cookie: c.cookie }),
    get('/sessions/whoami', { 'x-session-token': c.token }),
    get('/sessions/whoami', { authorization: `Bearer ${c.token}` }),
    get('/self-service/logout/browser', { ...JSON_ACCEPT, cookie: c.cookie }),
    get('/self-service/logout/browser', { ...JSON_ACCEPT, 'x-session-token': c.token }),
    get(c.cookieLogoutPath, { ...JSON_ACCEPT, cookie: c.cookie }),
    get(c.tokenLogoutPath, { ...JSON_ACCEPT, authorization: `Bearer ${c.token}` }),
    get('/sessions', { 'x-session-token': c.token }),
    get(c.cookieLogoutPath, { cookie: c.cookie }),
  ]);
  assertWhoami401(wc, `${where}: whoami with the old cookie`);
  assertWhoami401(wt, `${where}: whoami with the old X-Session-Token`);
  assertWhoami401(wb, `${where}: whoami with the old bearer token`);
  assertSessionInactive(lc, `${where}: createBrowserLogoutFlow with the old cookie`);
  assertSessionInactive(lt, `${where}: createBrowserLogoutFlow with the old token`);
  assertSessionInactive(luc, `${where}: the old logout URL with the old cookie`);
  assertSessionInactive(lub, `${where}: the token session's old logout URL with the bearer token`);
  assert.equal(lst.status, 401, `${where}: GET /sessions with the old token`);
  assert.equal(browser.status, 303, `${where}: the old logout URL in a browser goes to the error UI`);
  assert.match(browser.headers.get('location') ?? '', /^http:\/\/localhost:4455\/error\?id=/, `${where}: error UI`);
}

/** A clearing Set-Cookie for the session cookie (Max-Age=0 or an Expires in the past). */
export function clearsSessionCookie(a: Answer): boolean {
  return setCookies(a.headers).some(
    (c) => c.name === SESSION_COOKIE && (c.attributes['max-age'] === '0' || Date.parse(String(c.attributes.expires)) < Date.now()),
  );
}

/** The admin view of a session: stored state, whichever process is asked. */
export async function adminSessionActive(adminURL: string, sessionId: string): Promise<boolean> {
  const res = await call(`${adminURL}/admin/sessions/${sessionId}`);
  assert.equal(res.status, 200, `GET /admin/sessions/${sessionId}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.active as boolean;
}

/**
 * `n` browser logouts (JSON client) of one session at once, spread over `publicURLs`. Kratos's answers:
 * 204 for a request that found the session active (at least one), 401 session_inactive for the rest; never 5xx.
 */
export async function concurrentCookieLogouts(publicURLs: string[], cookie: string, path: string, n = 50): Promise<Record<number, number>> {
  const answers = await burst(n, (i) => call(`${publicURLs[i % publicURLs.length]}${path}`, { headers: { ...JSON_ACCEPT, cookie } }));
  const counts = tally(answers.map((a) => a.status));
  assert.ok((counts[204] ?? 0) >= 1, `at least one logout succeeds: ${JSON.stringify(counts)}`);
  assert.equal((counts[204] ?? 0) + (counts[401] ?? 0), n, `only 204 and 401: ${JSON.stringify(counts)}`);
  for (const a of answers) {
    if (a.status === 204) assert.equal(a.body, '', '204 has no body');
    else assertSessionInactive(a, 'a concurrent logout that lost the race');
    // Contract: the winner clears the cookie, and so does every 401 (the cookie names no active session).
    assert.ok(clearsSessionCookie(a), `the answer ${a.status} clears the session cookie`);
  }
  return counts;
}

/** `n` native logouts of one token at once: every one is 204 (Kratos: also when repeated). */
export async function concurrentNativeLogouts(publicURLs: string[], token: string, n = 50): Promise<void> {
  const answers = await burst(n, (i) =>
    call(`${publicURLs[i % publicURLs.length]}/self-service/logout/api`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ session_token: token }),
    }),
  );
  assert.deepEqual(tally(answers.map((a) => a.status)), { 204: n });
  for (const a of answers) assert.equal(setCookies(a.headers).length, 0, 'native logout writes no cookie');
}
