import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CaptureServer, b64 } from '../../helpers/capture.js';
import { BROWSER, browserLogin, get } from '../logout/helpers.js';
import { seedLogin } from '../../helpers/seed.js';
import { FAST_CLIENT } from './helpers.js';

const H = `function(ctx) {
  sid: ctx.session.id, iid: ctx.identity.id, t: ctx.flow.type, active: ctx.session.active,
  rt: ctx.flow.return_to, cookies: ctx.request_cookies, ctx: ctx,
}`;

const logoutHooks = (url: string, extra: Record<string, unknown> = {}) => ({
  selfservice: { flows: { logout: { after: { hooks: [{ hook: 'web_hook', config: { url, method: 'POST', body: b64(H), ...extra } }] } } } },
  porta: FAST_CLIENT,
});

function nativeLogout(t: TestApp, token: string) {
  return t.app.public.inject({ method: 'DELETE', url: '/self-service/logout/api', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ session_token: token }) });
}

/** Status, headers and body of a logout response, with the values that differ per run (cookies' values, date) masked. */
function shape(res: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  const headers = { ...res.headers };
  delete headers.date;
  const cookies = [headers['set-cookie']].flat().map((c) => String(c).replace(/=[^;]*;/, '=<v>;'));
  delete headers['set-cookie'];
  return { status: res.statusCode, headers, cookies, body: res.body };
}

// Part D cases 42-45 and 47 (Porta's logout after-hooks).
forEachBackend('logout after-hooks', (backend) => {
  let t: TestApp;
  let r: CaptureServer;
  before(async () => {
    r = await CaptureServer.start();
    t = await startApp({ backend, config: logoutHooks(r.url('/logout')) });
  });
  after(async () => {
    await r.close();
    await t?.close();
  });
  beforeEach(() => r.reset());

  test('42: a browser logout calls the receiver before the 303, with the ended session and no token', async () => {
    const s = await browserLogin(t);
    const res = await get(t, s.url, { cookie: `${s.cookie}; theme=dark`, accept: BROWSER });
    assert.equal(res.statusCode, 303);
    assert.equal(r.requests.length, 1, 'the receiver had the request before the response was sent');
    const body = r.json();
    assert.equal(body.sid, s.session.id);
    assert.equal(body.iid, s.identity.id);
    assert.equal(body.t, 'browser');
    assert.equal(body.active, false);
    assert.equal(body.rt, 'http://localhost:4455/login');
    assert.deepEqual(body.cookies, { theme: 'dark' });
    const raw = r.requests[0].body;
    for (const secret of [s.token, s.logoutToken, s.cookie.split('=')[1]]) assert.ok(!raw.includes(secret), 'no token of any kind in ctx');
  });

  test('43: the native logout calls it with type api and answers 204', async () => {
    const s = await seedLogin(t);
    const res = await nativeLogout(t, s.token);
    assert.equal(res.statusCode, 204);
    assert.equal(r.requests.length, 1);
    assert.equal(r.json().t, 'api');
    assert.equal(r.json().sid, s.session.id);
    assert.equal(r.json().rt, null);
    assert.ok(!r.requests[0].body.includes(s.token));
  });

  test('44: a failing receiver never changes the logout response (3 attempts made)', async () => {
    const ok = await browserLogin(t);
    const good = await get(t, ok.url, { cookie: ok.cookie, accept: BROWSER });
    r.reset();
    r.otherwise({ status: 500 });
    const failing = await browserLogin(t);
    const bad = await get(t, failing.url, { cookie: failing.cookie, accept: BROWSER });
    assert.equal(r.requests.length, 3);
    assert.deepEqual(shape(bad), shape(good));
    const n = await seedLogin(t);
    assert.equal((await nativeLogout(t, n.token)).statusCode, 204);
  });

  test('45: logouts that end nothing call nothing', async () => {
    const s = await browserLogin(t);
    assert.equal((await get(t, s.url.replace(/token=[^&]+/, 'token=ory_lo_wrongwrongwrongwrongwrongwrong12'), { cookie: s.cookie, accept: BROWSER })).statusCode, 303);
    assert.equal((await get(t, s.url, { accept: 'application/json' })).statusCode, 401);
    const n = await seedLogin(t);
    assert.equal((await nativeLogout(t, n.token)).statusCode, 204);
    r.reset();
    assert.equal((await nativeLogout(t, n.token)).statusCode, 204, 'already revoked');
    assert.equal(r.requests.length, 0);
  });
});

test('47: with response.ignore the logout does not wait for a receiver that never answers', async () => {
  const r = await CaptureServer.start();
  r.otherwise({ hang: true });
  const t = await startApp({ config: { ...logoutHooks(r.url('/slow'), { response: { ignore: true } }), porta: { web_hook: { timeout: '10m', max_retries: 0 } } } });
  try {
    const s = await browserLogin(t);
    const res = await get(t, s.url, { cookie: s.cookie, accept: BROWSER });
    assert.equal(res.statusCode, 303);
    await r.waitFor(1);
    assert.equal(r.json().sid, s.session.id);
  } finally {
    await r.close();
    await t.close();
  }
});
