import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureServer } from '../../helpers/capture.js';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { seedLogin } from '../../helpers/seed.js';
import { BROWSER, get, logoutFlow, pathOf } from '../logout/helpers.js';

const b64 = (tpl: string) => `base64://${Buffer.from(tpl).toString('base64')}`;
const BODY = b64('function(ctx) {sid: ctx.session.id, iid: ctx.identity.id, t: ctx.flow.type, active: ctx.session.active, rt: ctx.flow.return_to, url: ctx.request_url, cookies: ctx.request_cookies}');

forEachBackend('logout after-hooks', (backend) => {
  let r: CaptureServer;
  let t: TestApp;
  let plain: TestApp;
  before(async () => {
    r = await CaptureServer.start();
    const logout = { after: { default_browser_return_url: 'http://localhost:4455/login', hooks: [{ hook: 'web_hook', config: { url: `${r.url}/logout`, method: 'POST', body: BODY } }] } };
    t = await startApp({ backend, config: { porta: { web_hook: { retry_wait_min: '10ms', retry_wait_max: '20ms', jsonnet_timeout: '5s' } }, selfservice: { flows: { logout } } } });
    plain = await startApp({ backend });
  });
  after(async () => {
    await t.close();
    await plain.close();
    await r.close();
  });

  test('D42, D44-D45: a browser logout that ends the session calls the hook once, without any token; repeats call nothing', async () => {
    r.requests.length = 0;
    const s = await seedLogin(t);
    const cookie = `${s.cookie}; other=1`;
    const { logout_url, logout_token } = await logoutFlow(t, { cookie });
    const res = await get(t, pathOf(logout_url), { cookie, accept: BROWSER });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, 'http://localhost:4455/login');
    assert.equal(r.requests.length, 1, 'the hook ran before the answer');
    const body = JSON.parse(r.requests[0].body);
    assert.deepEqual({ sid: body.sid, iid: body.iid, t: body.t, active: body.active, rt: body.rt }, { sid: s.session.id, iid: s.identity.id, t: 'browser', active: false, rt: 'http://localhost:4455/login' });
    assert.deepEqual(body.cookies, { other: '1' }, "Porta's session and CSRF cookies are never forwarded");
    for (const secret of [s.token, s.cookieValue, logout_token]) assert.ok(!r.requests[0].body.includes(secret), 'no token of any kind reaches the receiver');

    const again = await get(t, pathOf(logout_url), { cookie, accept: BROWSER });
    assert.notEqual(again.headers.location, 'http://localhost:4455/login', 'the repeat is refused');
    assert.equal(r.requests.length, 1, 'a logout that ends nothing calls no hook');
  });

  test('D43, D45: native logout calls the hook with type api; an already revoked token answers 204 and calls nothing', async () => {
    r.requests.length = 0;
    const s = await seedLogin(t);
    const del = () => t.app.public.inject({ method: 'DELETE', url: '/self-service/logout/api', payload: { session_token: s.token } });
    assert.equal((await del()).statusCode, 204);
    assert.equal(r.requests.length, 1);
    const body = JSON.parse(r.requests[0].body);
    assert.equal(body.t, 'api');
    assert.equal(body.sid, s.session.id);
    assert.ok(!r.requests[0].body.includes(s.token));
    assert.equal((await del()).statusCode, 204);
    assert.equal(r.requests.length, 1);
  });

  test('D44: a failing receiver (3 attempts) leaves the logout answer as without hooks', async () => {
    r.requests.length = 0;
    r.fallback = { status: 500 };
    try {
      const answer = async (app: TestApp) => {
        const s = await seedLogin(app);
        const { logout_url } = await logoutFlow(app, { cookie: s.cookie });
        const res = await get(app, pathOf(logout_url), { cookie: s.cookie, accept: BROWSER });
        const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | string | undefined) ?? []).map((c) => c.split('=')[0]);
        return { status: res.statusCode, location: res.headers.location, cookies, body: res.body };
      };
      assert.deepEqual(await answer(t), await answer(plain));
      assert.equal(r.requests.length, 3);
    } finally {
      r.fallback = { status: 200 };
    }
  });
});

test('D46: a logout hook that parses or interrupts stops start-up, naming the key', async () => {
  const hook = (config: Record<string, unknown>) => ({ selfservice: { flows: { logout: { after: { hooks: [{ hook: 'web_hook', config: { url: 'http://127.0.0.1:1/', method: 'POST', body: b64('function(ctx) {}'), ...config } }] } } } } });
  await assert.rejects(startApp({ config: hook({ response: { parse: true } }) }), /logout\.after\.hooks\[0\]\.config\.response\.parse/);
  await assert.rejects(startApp({ config: hook({ can_interrupt: true }) }), /logout\.after\.hooks\[0\]\.config\.can_interrupt/);
});
