import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { setCookies } from '../../helpers/jar.js';
import {
  BROWSER,
  csrfSetCookie,
  errorContainer,
  get,
  JSONREQ,
  NO_TOKEN,
  SESSION_INACTIVE,
  sessionSetCookie,
  browserLogin,
  assertHardened,
  assertSessionCleared,
  TOKEN_MISMATCH,
  UUID,
  whoami,
} from './helpers.js';

const CSRF_NAME = 'csrf_token_82b119fa58a0a1cb6faa9738c1d0dbbf04fcc89a657b7beb31fcde400ced48ab';
const ERROR_UI = new RegExp(`^http://localhost:4455/error\\?id=${UUID}$`);

// kratos-logout-spec.md §5 group B (updateLogoutFlow) and G (negotiation), raw HTTP.
forEachBackend('GET /self-service/logout', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(() => t.close());

  const login = (query = '') => browserLogin(t, query);
  const hardened = assertHardened;
  const assertCleared = (res: Parameters<typeof sessionSetCookie>[1]) => assertSessionCleared(t, res);

  test('#20 #21 browser: 303 to the logout default, cookie cleared, old cookie refused by whoami', async () => {
    const s = await login();
    const res = await get(t, s.url, { cookie: s.cookie });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, 'http://localhost:4455/login');
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.body, '<a href="http://localhost:4455/login">See Other</a>.\n\n');
    assert.equal(res.headers['clear-site-data'], undefined);
    hardened(res);
    assertCleared(res);
    assert.equal(await whoami(t, { cookie: s.cookie }), 401);
    assert.equal(await whoami(t, { 'x-session-token': s.token }), 401);
  });

  test('#22 #35 JSON: 204 without body or Content-Type, cookie cleared; the same request again is 401', async () => {
    const s = await login();
    const res = await get(t, s.url, { cookie: s.cookie, ...JSONREQ });
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assert.equal(res.headers['content-type'], undefined);
    hardened(res);
    assertCleared(res);
    const again = await get(t, s.url, { cookie: s.cookie, ...JSONREQ });
    assert.equal(again.statusCode, 401);
    assert.deepEqual(again.json(), { error: SESSION_INACTIVE });
    // The old logout URL and logout token are dead for every endpoint.
    assert.equal((await get(t, '/self-service/logout/browser', { cookie: s.cookie, ...JSONREQ })).statusCode, 401);
  });

  test('#23 #24 Content-Type: application/json alone, and the axios Accept, are JSON (204)', async () => {
    for (const h of [{ 'content-type': 'application/json' }, { accept: 'application/json, text/plain, */*' }] as Record<string, string>[]) {
      const s = await login();
      assert.equal((await get(t, s.url, { cookie: s.cookie, ...h })).statusCode, 204);
    }
  });

  test('#25 the CSRF cookie is rotated', async () => {
    const s = await login();
    const sent = 'A'.repeat(43) + '=';
    const res = await get(t, s.url, { cookie: `${s.cookie}; ${CSRF_NAME}=${sent}`, ...JSONREQ });
    assert.equal(res.statusCode, 204);
    const c = csrfSetCookie(res);
    assert.ok(c);
    assert.equal(c.name, CSRF_NAME);
    assert.equal(c.value.length, 44);
    assert.notEqual(c.value, sent);
    // Without a CSRF cookie in the request: still exactly one CSRF Set-Cookie (nosurf's ctxWasSent guard).
    const s2 = await login();
    const res2 = await get(t, s2.url, { cookie: s2.cookie, ...JSONREQ });
    assert.equal(setCookies(res2.headers as Record<string, unknown>).filter((x) => x.name === CSRF_NAME).length, 1);
  });

  test('#26 an allowed return_to carried in logout_url: 303 to exactly https://www.ory.sh', async () => {
    const s = await login('?return_to=https://www.ory.sh');
    const res = await get(t, s.url, { cookie: s.cookie });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, 'https://www.ory.sh');
  });

  test('#27 #28 #29 no token: 400 (JSON, no id) or the error UI; checked before the session; nothing revoked', async () => {
    const s = await login();
    const json = await get(t, '/self-service/logout', { cookie: s.cookie, ...JSONREQ });
    assert.equal(json.statusCode, 400);
    hardened(json);
    assert.deepEqual(json.json(), { error: { code: 400, status: 'Bad Request', reason: NO_TOKEN, message: 'The request was malformed or contained invalid parameters' } });
    assert.equal(await whoami(t, { cookie: s.cookie }), 200);
    const browser = await get(t, '/self-service/logout', { cookie: s.cookie, accept: BROWSER });
    assert.equal(browser.statusCode, 303);
    hardened(browser);
    const c = await errorContainer(t, String(browser.headers.location));
    assert.equal(c.code, 400);
    assert.equal(c.reason, NO_TOKEN);
    assert.equal((await get(t, '/self-service/logout?token=', JSONREQ)).statusCode, 400);
    assert.equal((await get(t, '/self-service/logout', JSONREQ)).statusCode, 400);
  });

  test('#30 #31 token but no session: 401 session_inactive or the error UI', async () => {
    const s = await login();
    const json = await get(t, s.url, JSONREQ);
    assert.equal(json.statusCode, 401);
    hardened(json);
    assert.deepEqual(json.json(), { error: SESSION_INACTIVE });
    const browser = await get(t, s.url, {});
    assert.equal(browser.statusCode, 303);
    assert.match(String(browser.headers.location), ERROR_UI);
    assert.equal((await errorContainer(t, String(browser.headers.location))).reason, SESSION_INACTIVE.reason);
    assert.equal(await whoami(t, { cookie: s.cookie }), 200);
  });

  test('#32 #33 another user\'s logout URL: 403 or the error UI; neither session is revoked', async () => {
    const a = await login();
    const b = await login();
    const json = await get(t, a.url, { cookie: b.cookie, ...JSONREQ });
    assert.equal(json.statusCode, 403);
    hardened(json);
    assert.deepEqual(json.json(), { error: { code: 403, status: 'Forbidden', reason: TOKEN_MISMATCH, message: 'The requested action was forbidden' } });
    const browser = await get(t, a.url, { cookie: b.cookie });
    assert.equal(browser.statusCode, 303);
    assert.equal((await errorContainer(t, String(browser.headers.location))).reason, TOKEN_MISMATCH);
    assert.equal(sessionSetCookie(t, json), undefined);
    assert.equal(await whoami(t, { cookie: a.cookie }), 200);
    assert.equal(await whoami(t, { cookie: b.cookie }), 200);
  });

  test('#34 a mangled token: 403 or the error UI, nothing revoked', async () => {
    const s = await login();
    assert.equal((await get(t, `${s.url}invalid`, { cookie: s.cookie, ...JSONREQ })).statusCode, 403);
    assert.equal((await get(t, s.url.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')), { cookie: s.cookie, ...JSONREQ })).statusCode, 403);
    assert.equal((await get(t, `/self-service/logout?token=${'x'.repeat(4000)}`, { cookie: s.cookie, ...JSONREQ })).statusCode, 403);
    const browser = await get(t, `${s.url}invalid`, { cookie: s.cookie });
    assert.match(String(browser.headers.location), ERROR_UI);
    assert.equal(await whoami(t, { cookie: s.cookie }), 200);
  });

  test('#36 a disallowed return_to on the logout URL: 400, yet logged out and the cookie cleared (Kratos order)', async () => {
    const s = await login();
    const res = await get(t, `${s.url}&return_to=https://www.ory.com`, { cookie: s.cookie, ...JSONREQ });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.id, 'self_service_flow_return_to_forbidden');
    hardened(res);
    assertCleared(res);
    assert.equal(await whoami(t, { cookie: s.cookie }), 401);
  });

  test('#37 return_to=/x: 303 to http://localhost:4455/x', async () => {
    const s = await login();
    const res = await get(t, `${s.url}&return_to=/x`, { cookie: s.cookie });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, 'http://localhost:4455/x');
  });

  test('#39 Bearer: that session is revoked, no session cookie written', async () => {
    const s = await login();
    const res = await get(t, s.url, { authorization: `Bearer ${s.token}`, ...JSONREQ });
    assert.equal(res.statusCode, 204);
    assert.equal(sessionSetCookie(t, res), undefined);
    assert.equal(await whoami(t, { 'x-session-token': s.token }), 401);
  });

  test('#40 contract: X-Session-Token only — Kratos answers 204 and revokes nothing; Porta revokes that session', async () => {
    const s = await login();
    const res = await get(t, s.url, { 'x-session-token': s.token, ...JSONREQ });
    assert.equal(res.statusCode, 204);
    assert.equal(sessionSetCookie(t, res), undefined);
    assert.equal(await whoami(t, { 'x-session-token': s.token }), 401);
  });

  test('contract: cookie of A + X-Session-Token of B with B\'s logout token — Kratos revokes A; Porta revokes B, the authenticated one', async () => {
    const a = await login();
    const b = await login();
    const res = await get(t, b.url, { cookie: a.cookie, 'x-session-token': b.token, ...JSONREQ });
    assert.equal(res.statusCode, 204);
    assert.equal(await whoami(t, { 'x-session-token': b.token }), 401);
    assert.equal(await whoami(t, { 'x-session-token': a.token }), 200);
    // With A's logout token instead: the authenticated session is B, so the token does not match.
    const c = await login();
    const d = await login();
    assert.equal((await get(t, c.url, { cookie: c.cookie, 'x-session-token': d.token, ...JSONREQ })).statusCode, 403);
    assert.equal(await whoami(t, { cookie: c.cookie }), 200);
  });

  test('#41 contract: Accept "application/json; charset=utf-8" — Kratos treats it as a browser (303); Porta as JSON (204)', async () => {
    const s = await login();
    assert.equal((await get(t, s.url, { cookie: s.cookie, accept: 'application/json; charset=utf-8' })).statusCode, 204);
  });

  test('#42 trailing slash is 404; POST without a CSRF token is 403 security_csrf_violation', async () => {
    const s = await login();
    assert.equal((await get(t, `/self-service/logout/${s.url.slice('/self-service/logout'.length)}`, { cookie: s.cookie })).statusCode, 404);
    const post = await t.app.public.inject({ method: 'POST', url: s.url, headers: { cookie: s.cookie } });
    assert.equal(post.statusCode, 403);
    assert.equal(post.json().error.id, 'security_csrf_violation');
    hardened(post);
    assert.equal(await whoami(t, { cookie: s.cookie }), 200);
  });

  test('#43 admin port: 307 to the public URL, query kept', async () => {
    for (const url of ['/admin/self-service/logout?token=x', '/self-service/logout?token=x']) {
      const res = await t.app.admin.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 307);
      assert.equal(res.headers.location, 'http://localhost:4433/self-service/logout?token=x');
    }
  });
});
