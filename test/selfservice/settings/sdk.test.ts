import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Configuration, FrontendApi, type SettingsFlow } from '@ory/client';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CookieJar } from '../../helpers/jar.js';
import { settingsConfig } from './helpers.js';

const PASSWORD = 'correct-horse-battery-staple-1';
const NEW_PASSWORD = 'tr0ub4dor-and-three-more-words';

async function failure(p: Promise<unknown>): Promise<{ status: number; data: any; headers: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    const res = (err as { response?: { status: number; data: unknown; headers: Record<string, unknown> } }).response;
    if (res) return res;
    throw err;
  }
  assert.fail('expected the call to fail');
}

const csrfOf = (flow: SettingsFlow): string =>
  (flow.ui.nodes.find((n) => (n.attributes as { name?: string }).name === 'csrf_token')?.attributes as { value: string }).value;

forEachBackend('settings through @ory/client', (backend) => {
  let t: TestApp;
  let api: FrontendApi;
  let n = 0;
  before(async () => {
    t = await startApp({ backend, listen: true, config: settingsConfig() });
    api = new FrontendApi(new Configuration({ basePath: t.publicURL }));
  });
  after(async () => t.close());

  /** Registers through the SDK and returns the native session token. */
  async function registerNative(): Promise<{ email: string; token: string }> {
    const email = `sdk-settings-${backend}-${n++}@example.org`;
    const reg = await api.createNativeRegistrationFlow();
    const done = await api.updateRegistrationFlow({
      flow: reg.data.id,
      updateRegistrationFlowBody: { method: 'password', password: PASSWORD, traits: { email, website: 'https://www.ory.sh' } },
    });
    return { email, token: done.data.session_token as string };
  }

  async function loginSPA(email: string, password: string): Promise<CookieJar> {
    const jar = new CookieJar();
    const flow = await api.createBrowserLoginFlow();
    jar.store(flow.headers as Record<string, unknown>);
    const csrf = (flow.data.ui.nodes.find((x) => (x.attributes as { name?: string }).name === 'csrf_token')?.attributes as { value: string }).value;
    const done = await api.updateLoginFlow({ flow: flow.data.id, cookie: jar.header(), updateLoginFlowBody: { method: 'password', identifier: email, password, csrf_token: csrf } });
    jar.store(done.headers as Record<string, unknown>);
    return jar;
  }

  async function makeOld(sessionId: string): Promise<void> {
    const s = await t.app.registry.persister.sessions.getSession(sessionId);
    assert.ok(s);
    s.authenticatedAt = new Date(Date.now() - 20 * 60_000);
    await t.app.registry.persister.sessions.updateSession(s);
  }

  async function loginNative(email: string, password: string): Promise<number> {
    const flow = await api.createNativeLoginFlow();
    try {
      await api.updateLoginFlow({ flow: flow.data.id, updateLoginFlowBody: { method: 'password', identifier: email, password } });
      return 200;
    } catch (err) {
      return (err as { response: { status: number } }).response.status;
    }
  }

  test('native: createNativeSettingsFlow, getSettingsFlow, updateSettingsFlow (profile and password)', async () => {
    const { email, token } = await registerNative();
    const flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    assert.equal(flow.data.type, 'api');
    assert.equal(flow.data.identity.traits.email, email);
    const fetched = await api.getSettingsFlow({ id: flow.data.id, xSessionToken: token });
    assert.equal(fetched.data.state, 'show_form');
    const profile = await api.updateSettingsFlow({
      flow: flow.data.id,
      xSessionToken: token,
      updateSettingsFlowBody: { method: 'profile', traits: { email, website: 'https://github.com/ory', age: 30 } },
    });
    assert.equal(profile.data.state, 'success');
    assert.equal(profile.data.identity.traits.age, 30);
    assert.equal(profile.data.ui.messages?.[0].id, 1050001);
    const pw = await api.updateSettingsFlow({ flow: flow.data.id, xSessionToken: token, updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD } });
    assert.equal(pw.data.state, 'success');
    assert.equal(await loginNative(email, PASSWORD), 400);
    assert.equal(await loginNative(email, NEW_PASSWORD), 200);
    const policy = await failure(api.updateSettingsFlow({ flow: flow.data.id, xSessionToken: token, updateSettingsFlowBody: { method: 'password', password: 'short' } }));
    assert.equal(policy.status, 400);
    assert.equal(policy.data.state, 'success', 'a settings flow never goes back to show_form');
  });

  test('native without a session: 401 session_inactive', async () => {
    const res = await failure(api.createNativeSettingsFlow());
    assert.equal(res.status, 401);
    assert.equal(res.data.error.id, 'session_inactive');
  });

  test('SPA: createBrowserSettingsFlow with the cookie, update, continue_with redirect_browser_to', async () => {
    const { email } = await registerNative();
    const jar = await loginSPA(email, PASSWORD);
    const flow = await api.createBrowserSettingsFlow({ cookie: jar.header() });
    jar.store(flow.headers as Record<string, unknown>);
    assert.equal(flow.data.type, 'browser');
    const done = await api.updateSettingsFlow({
      flow: flow.data.id,
      cookie: jar.header(),
      updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(flow.data) },
    });
    assert.equal(done.data.state, 'success');
    assert.deepEqual(done.data.continue_with, [{ action: 'redirect_browser_to', redirect_browser_to: `http://localhost:4455/settings?flow=${flow.data.id}` }]);
    assert.equal(await loginNative(email, NEW_PASSWORD), 200);
  });

  test('an old session cannot change the password through native or SPA clients: 403 session_refresh_required', async () => {
    const { email, token } = await registerNative();
    const native = await api.toSession({ xSessionToken: token });
    await makeOld(native.data.id);
    const flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    const refused = await failure(api.updateSettingsFlow({ flow: flow.data.id, xSessionToken: token, updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD } }));
    assert.equal(refused.status, 403);
    assert.equal(refused.data.error.id, 'session_refresh_required');
    assert.match(refused.data.redirect_browser_to, /\/self-service\/login\/browser\?refresh=true&return_to=/);

    const jar = await loginSPA(email, PASSWORD);
    const spaSession = await api.toSession({ cookie: jar.header() });
    await makeOld(spaSession.data.id);
    const sflow = await api.createBrowserSettingsFlow({ cookie: jar.header() });
    jar.store(sflow.headers as Record<string, unknown>);
    const spa = await failure(
      api.updateSettingsFlow({ flow: sflow.data.id, cookie: jar.header(), updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(sflow.data) } }),
    );
    assert.equal(spa.status, 403);
    assert.equal(spa.data.error.id, 'session_refresh_required');
    assert.equal(await loginNative(email, NEW_PASSWORD), 400);

    // Re-authenticating (a refresh login of the same session) makes it privileged again.
    const refresh = await api.createNativeLoginFlow({ xSessionToken: token, refresh: true });
    const renewed = await api.updateLoginFlow({ flow: refresh.data.id, xSessionToken: token, updateLoginFlowBody: { method: 'password', identifier: email, password: PASSWORD } });
    const newToken = renewed.data.session_token as string;
    const ok = await api.updateSettingsFlow({ flow: flow.data.id, xSessionToken: newToken, updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD } });
    assert.equal(ok.data.state, 'success');
    assert.equal(await loginNative(email, NEW_PASSWORD), 200);
  });
});
