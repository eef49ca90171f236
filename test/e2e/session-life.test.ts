import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachSpawnBackend, spawnPorta, type PortaProcess } from '../helpers/spawn.js';
import { assertWhoami401, browserLogin, call, failureOf, frontend, PASSWORD, traits, uniqueEmail, WHOAMI_401 } from './client.js';

// A whole session life through @ory/client's FrontendApi, as an app written for Kratos drives it.
forEachSpawnBackend('a session life through FrontendApi against a spawned porta serve', (backend) => {
  let p: PortaProcess;
  // Every credential this suite sees; none may appear in the server's log, even at trace level.
  const secrets = new Set<string>([PASSWORD]);
  before(async () => {
    p = await spawnPorta({ backend, config: { log: { level: 'trace' } } });
  });
  after(async () => {
    await p.stop();
    const log = `${p.stdout()}\n${p.stderr()}`;
    assert.ok(log.length > 0, 'the server logged something at trace level');
    for (const s of secrets) assert.equal(log.includes(s), false, `a credential (${s.slice(0, 10)}…) appears in the log`);
  });

  test('native registration → whoami → native login → performNativeLogout → whoami 401', async () => {
    const api = frontend(p.publicURL);
    const email = uniqueEmail('life');
    const regFlow = await api.createNativeRegistrationFlow();
    assert.equal(regFlow.status, 200);
    assert.equal(regFlow.data.type, 'api');
    const reg = await api.updateRegistrationFlow({
      flow: regFlow.data.id,
      updateRegistrationFlowBody: { method: 'password', traits: traits(email), password: PASSWORD },
    });
    assert.equal(reg.status, 200);
    const regToken = reg.data.session_token;
    secrets.add(regToken as string);
    assert.match(regToken ?? '', /^ory_st_[A-Za-z0-9]{32}$/, 'the session hook issues a token');
    assert.equal(reg.data.identity.traits.email, email);

    const me = await api.toSession({ xSessionToken: regToken });
    assert.equal(me.status, 200);
    assert.equal(me.data.active, true);
    assert.equal(me.data.identity?.id, reg.data.identity.id);
    assert.equal(me.headers['x-kratos-authenticated-identity-id'], reg.data.identity.id);

    const loginFlow = await api.createNativeLoginFlow();
    const login = await api.updateLoginFlow({ flow: loginFlow.data.id, updateLoginFlowBody: { method: 'password', identifier: email, password: PASSWORD } });
    assert.equal(login.status, 200);
    const token = login.data.session_token as string;
    secrets.add(token);
    assert.notEqual(token, regToken);

    const out = await api.performNativeLogout({ performNativeLogoutBody: { session_token: token } });
    assert.equal(out.status, 204);
    const after = await failureOf(api.toSession({ xSessionToken: token }));
    assert.equal(after.status, 401);
    assert.deepEqual(after.data, WHOAMI_401);
    // The other session of the same identity is untouched.
    assert.equal((await api.toSession({ xSessionToken: regToken })).status, 200);
    // Kratos answers 204 to a repeated native logout.
    assert.equal((await api.performNativeLogout({ performNativeLogoutBody: { session_token: token } })).status, 204);
    assertWhoami401(await call(`${p.publicURL}/sessions/whoami`, { headers: { authorization: `Bearer ${token}` } }), 'bearer after logout');
  });

  test('browser login → whoami with the cookie → createBrowserLogoutFlow → updateLogoutFlow → whoami 401', async () => {
    const api = frontend(p.publicURL);
    const email = uniqueEmail('browser');
    const regFlow = await api.createNativeRegistrationFlow();
    await api.updateRegistrationFlow({ flow: regFlow.data.id, updateRegistrationFlowBody: { method: 'password', traits: traits(email), password: PASSWORD } });

    const { cookie, sessionId } = await browserLogin(p.publicURL, email);
    secrets.add(cookie.slice(cookie.indexOf('=') + 1));
    const me = await api.toSession({ cookie });
    assert.equal(me.data.id, sessionId);

    const flow = await api.createBrowserLogoutFlow({ cookie });
    assert.equal(flow.status, 200);
    assert.match(flow.data.logout_token, /^ory_lo_[A-Za-z0-9]{32}$/);
    secrets.add(flow.data.logout_token);
    assert.equal(flow.data.logout_url, `${p.publicURL}/self-service/logout?token=${flow.data.logout_token}`);

    const out = await api.updateLogoutFlow({ token: flow.data.logout_token, cookie });
    assert.equal(out.status, 204);
    const gone = await failureOf(api.toSession({ cookie }));
    assert.equal(gone.status, 401);
    assert.deepEqual(gone.data, WHOAMI_401);
    const again = await failureOf(api.createBrowserLogoutFlow({ cookie }));
    assert.equal(again.status, 401);
    assert.equal(again.data?.error?.id, 'session_inactive');
  });
});
