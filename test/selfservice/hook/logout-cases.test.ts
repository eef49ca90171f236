import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureServer } from '../../helpers/capture.js';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { seedLogin } from '../../helpers/seed.js';
import { BROWSER, get, logoutFlow, pathOf, whoami } from '../logout/helpers.js';

/**
 * Logout hook cases logout-hook.test.ts leaves out (hooks spec Part D): D45's refused logouts call
 * nothing; D47's `response.ignore` hook never holds the logout answer back.
 */

const b64 = (tpl: string) => `base64://${Buffer.from(tpl).toString('base64')}`;
const BODY = b64('function(ctx) {sid: ctx.session.id}');

forEachBackend('logout after-hooks: refusals and ignore', (backend) => {
  let r: CaptureServer;
  let sync: TestApp;
  let fireAndForget: TestApp;
  before(async () => {
    r = await CaptureServer.start();
    const logout = (config: Record<string, unknown>) => ({
      after: { default_browser_return_url: 'http://localhost:4455/login', hooks: [{ hook: 'web_hook', config: { url: `${r.url}/logout`, method: 'POST', body: BODY, ...config } }] },
    });
    // A ten-minute attempt timeout: a logout that waited for the hanging receiver would outlast the test.
    const web_hook = { retry_wait_min: '10ms', retry_wait_max: '20ms', jsonnet_timeout: '5s', timeout: '10m' };
    sync = await startApp({ backend, config: { porta: { web_hook }, selfservice: { flows: { logout: logout({}) } } } });
    fireAndForget = await startApp({ backend, config: { porta: { web_hook }, selfservice: { flows: { logout: logout({ response: { ignore: true } }) } } } });
  });
  after(async () => {
    // The receiver first: it cuts the request the ignored hook still waits on.
    await r.close();
    await sync.close();
    await fireAndForget.close();
  });

  test('D45: a wrong logout token (403), no session (401), an unknown native token (403) call no hook', async () => {
    r.requests.length = 0;
    const a = await seedLogin(sync);
    const b = await seedLogin(sync);
    const { logout_url: forB } = await logoutFlow(sync, { cookie: b.cookie });
    const wrong = await get(sync, pathOf(forB), { cookie: a.cookie, accept: 'application/json' });
    assert.equal(wrong.statusCode, 403, wrong.body);
    const none = await get(sync, '/self-service/logout/browser', { accept: 'application/json' });
    assert.equal(none.statusCode, 401, none.body);
    const unknown = await sync.app.public.inject({ method: 'DELETE', url: '/self-service/logout/api', payload: { session_token: 'ory_st_doesnotexist0000000000000000' } });
    assert.equal(unknown.statusCode, 403, unknown.body);
    assert.equal(r.requests.length, 0);
    assert.equal(await whoami(sync, { cookie: a.cookie }), 200, 'the refused logout ended nothing');
  });

  test('D47: with response.ignore the logout answers while the receiver still hangs; the request arrives', async () => {
    r.requests.length = 0;
    r.fallback = { hang: true };
    try {
      const s = await seedLogin(fireAndForget);
      const { logout_url } = await logoutFlow(fireAndForget, { cookie: s.cookie });
      const res = await get(fireAndForget, pathOf(logout_url), { cookie: s.cookie, accept: BROWSER });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, 'http://localhost:4455/login');
      const [got] = await r.waitFor(1, 15_000, (q) => q.path === '/logout');
      assert.equal(JSON.parse(got.body).sid, s.session.id);
    } finally {
      r.fallback = { status: 200 };
    }
  });
});
