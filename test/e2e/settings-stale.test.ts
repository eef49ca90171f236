import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar } from '../helpers/jar.js';
import { forEachSpawnBackend, spawnPorta, type PortaProcess } from '../helpers/spawn.js';
import { browserLogin, createIdentity, failureOf, frontend, nativeLogin, traits, SESSION_COOKIE } from './client.js';

const NEW_PASSWORD = 'another-long-passphrase-q7w';

async function loginStatus(publicURL: string, email: string, password: string): Promise<number> {
  const api = frontend(publicURL);
  const flow = await api.createNativeLoginFlow();
  try {
    await api.updateLoginFlow({ flow: flow.data.id, updateLoginFlowBody: { method: 'password', identifier: email, password } });
    return 200;
  } catch (err) {
    return (err as { response: { status: number } }).response.status;
  }
}

const csrfOf = (nodes: Array<{ attributes: unknown }>): string =>
  (nodes.find((n) => (n.attributes as { name?: string }).name === 'csrf_token')?.attributes as { value: string }).value;

// Issue 11 "Done when": an old session (the privileged age set short) cannot change the password through
// any client type, against a spawned `porta serve`.
forEachSpawnBackend('settings with an old session against a spawned porta serve', (backend) => {
  let stale: PortaProcess;
  before(async () => {
    // Every session is older than 1ms by the time it submits: never privileged.
    stale = await spawnPorta({ backend, config: { selfservice: { flows: { settings: { privileged_session_max_age: '1ms' } } } } });
  });
  after(async () => {
    await stale?.stop();
  });

  test('an old session: native and SPA get 403 session_refresh_required, a browser form the refresh login', async () => {
    const { email } = await createIdentity(stale.adminURL);
    const api = frontend(stale.publicURL);

    const native = await nativeLogin(stale.publicURL, email);
    const nflow = await api.createNativeSettingsFlow({ xSessionToken: native.token });
    const n = await failureOf(api.updateSettingsFlow({ flow: nflow.data.id, xSessionToken: native.token, updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD } }));
    assert.equal(n.status, 403);
    assert.equal(n.data.error.id, 'session_refresh_required');

    const browser = await browserLogin(stale.publicURL, email);
    const jar = CookieJar.fromHeader(browser.cookie);
    const sflow = await api.createBrowserSettingsFlow({ cookie: jar.header() });
    jar.store(sflow.headers as Record<string, unknown>);
    const s = await failureOf(
      api.updateSettingsFlow({ flow: sflow.data.id, cookie: jar.header(), updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(sflow.data.ui.nodes) } }),
    );
    assert.equal(s.status, 403);
    assert.equal(s.data.error.id, 'session_refresh_required');
    assert.equal(s.data.redirect_browser_to, `${stale.publicURL}/self-service/login/browser?refresh=true&return_to=${encodeURIComponent(`${stale.publicURL}/self-service/settings?flow=${sflow.data.id}`)}`);

    const form = await fetch(`${stale.publicURL}/self-service/settings?flow=${sflow.data.id}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: jar.header() },
      body: new URLSearchParams({ method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(sflow.data.ui.nodes) }),
    });
    await form.arrayBuffer();
    assert.equal(form.status, 303);
    assert.equal(form.headers.get('location'), s.data.redirect_browser_to);

    // Unprotected traits still change with the old session.
    const website = await api.updateSettingsFlow({
      flow: nflow.data.id,
      xSessionToken: native.token,
      updateSettingsFlowBody: { method: 'profile', traits: { ...traits(email), website: 'https://changed.example.org' } },
    });
    assert.equal(website.data.identity.traits.website, 'https://changed.example.org');
    assert.equal(await loginStatus(stale.publicURL, email, NEW_PASSWORD), 400, 'the password did not change');
    assert.ok(jar.get(SESSION_COOKIE));
  });
});
