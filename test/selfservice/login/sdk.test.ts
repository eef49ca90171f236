import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Configuration, FrontendApi } from '@ory/client';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CookieJar } from '../../helpers/jar.js';
import { INVALID_CREDENTIALS } from './helpers.js';

const PASSWORD = 'sdk-passphrase-7h2k9q';

async function failure(p: Promise<unknown>): Promise<{ status: number; data: any }> {
  try {
    await p;
  } catch (err) {
    const res = (err as { response?: { status: number; data: unknown } }).response;
    if (res) return { status: res.status, data: res.data };
    throw err;
  }
  assert.fail('expected the call to fail');
}

forEachBackend('login and registration through @ory/client', (backend) => {
  let t: TestApp;
  let api: FrontendApi;
  before(async () => {
    t = await startApp({ backend, listen: true });
    api = new FrontendApi(new Configuration({ basePath: t.publicURL }));
  });
  after(async () => t.close());

  test('native: register, log in, whoami with the matching token only', async () => {
    const email = `sdk-native-${backend}@example.org`;
    const reg = await api.createNativeRegistrationFlow();
    assert.equal(reg.data.type, 'api');
    const done = await api.updateRegistrationFlow({
      flow: reg.data.id,
      updateRegistrationFlowBody: { method: 'password', password: PASSWORD, traits: { email, website: 'https://www.ory.sh' } },
    });
    assert.match(done.data.session_token ?? '', /^ory_st_[A-Za-z0-9]{32}$/);
    assert.equal(done.data.identity.traits.email, email);
    assert.equal(done.data.continue_with?.[0].action, 'set_ory_session_token');

    const flow = await api.createNativeLoginFlow();
    const wrong = await failure(api.updateLoginFlow({ flow: flow.data.id, updateLoginFlowBody: { method: 'password', identifier: email, password: 'nope-nope-nope' } }));
    assert.equal(wrong.status, 400);
    assert.equal(wrong.data.ui.messages[0].text, INVALID_CREDENTIALS);
    const login = await api.updateLoginFlow({ flow: flow.data.id, updateLoginFlowBody: { method: 'password', identifier: email, password: PASSWORD } });
    const token = login.data.session_token as string;
    assert.notEqual(token, done.data.session_token);
    assert.equal(login.data.session.identity?.traits.email, email);
    const me = await api.toSession({ xSessionToken: token });
    assert.equal(me.data.id, login.data.session.id);
    assert.equal((await failure(api.toSession({ xSessionToken: `${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}` }))).status, 401);
    assert.equal((await failure(api.toSession({ cookie: `ory_kratos_session=${token}` }))).status, 401);

    const already = await failure(api.createNativeLoginFlow({ xSessionToken: token }));
    assert.equal(already.status, 400);
    assert.equal(already.data.error.id, 'session_already_available');
    const refresh = await api.createNativeLoginFlow({ xSessionToken: token, refresh: true });
    assert.equal(refresh.data.refresh, true);
  });

  test('SPA: browser flows with cookies passed through the cookie parameter', async () => {
    const email = `sdk-spa-${backend}@example.org`;
    const jar = new CookieJar();
    const reg = await api.createBrowserRegistrationFlow();
    jar.store(reg.headers as Record<string, unknown>);
    assert.equal(reg.data.type, 'browser');
    const csrf = (reg.data.ui.nodes.find((n) => (n.attributes as { name?: string }).name === 'csrf_token')?.attributes as { value: string }).value;
    const fetched = await api.getRegistrationFlow({ id: reg.data.id, cookie: jar.header() });
    assert.equal(fetched.data.id, reg.data.id);
    assert.equal((await failure(api.getRegistrationFlow({ id: reg.data.id }))).status, 403);
    const done = await api.updateRegistrationFlow({
      flow: reg.data.id,
      cookie: jar.header(),
      updateRegistrationFlowBody: { method: 'password', password: PASSWORD, csrf_token: csrf, traits: { email, website: 'https://www.ory.sh' } },
    });
    assert.equal(done.data.session_token, undefined);
    assert.equal(done.data.continue_with?.[0].action, 'redirect_browser_to');
    jar.store(done.headers as Record<string, unknown>);
    assert.equal((await api.toSession({ cookie: jar.header() })).data.identity?.traits.email, email);

    const jar2 = new CookieJar();
    const flow = await api.createBrowserLoginFlow();
    jar2.store(flow.headers as Record<string, unknown>);
    const got = await api.getLoginFlow({ id: flow.data.id, cookie: jar2.header() });
    const token = (got.data.ui.nodes[0].attributes as { value: string }).value;
    const bad = await failure(api.updateLoginFlow({ flow: flow.data.id, cookie: jar2.header(), updateLoginFlowBody: { method: 'password', identifier: email, password: PASSWORD, csrf_token: 'x' } }));
    assert.equal(bad.status, 403);
    assert.equal(bad.data.error.id, 'security_csrf_violation');
    const login = await api.updateLoginFlow({ flow: flow.data.id, cookie: jar2.header(), updateLoginFlowBody: { method: 'password', identifier: email, password: PASSWORD, csrf_token: token } });
    assert.equal(login.data.session_token, undefined);
    assert.deepEqual(login.data.continue_with, [{ action: 'redirect_browser_to', redirect_browser_to: 'http://localhost:4455/' }]);
    jar2.store(login.headers as Record<string, unknown>);
    const me = await api.toSession({ cookie: jar2.header() });
    assert.equal(me.data.id, login.data.session.id);
    assert.equal((await failure(api.toSession({ xSessionToken: jar2.get('ory_kratos_session') }))).status, 401);
    assert.equal((await failure(api.createBrowserLoginFlow({ cookie: jar2.header() }))).data.error.id, 'session_already_available');
  });
});
