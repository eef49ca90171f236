import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { setCookies } from '../../helpers/jar.js';
import type { SessionRevokedEvent } from '../../../src/session/revoke.js';
import { seedSession } from '../../helpers/seed.js';
import {
  FORM, PASSWORD, UI, age, apiFlow, browserFlow, csrfOf, form, get, nodeOf, post, seedUser, settingsConfig, spaFlow, submitAPI, submitForm, submitSPA, whoami, type User,
} from './helpers.js';

const NEW_PASSWORD = 'a-brand-new-passphrase-42';
const REFRESH = (id: string) =>
  `http://localhost:4433/self-service/login/browser?refresh=true&return_to=${encodeURIComponent(`http://localhost:4433/self-service/settings?flow=${id}`)}`;

async function passwordLogin(t: TestApp, email: string, password: string): Promise<number> {
  const flow = (await get(t, '/self-service/login/api')).json();
  const res = await post(t, `/self-service/login?flow=${flow.id}`, JSON.stringify({ method: 'password', identifier: email, password }), {
    'content-type': 'application/json',
    accept: 'application/json',
  });
  return res.status;
}

forEachBackend('settings flow: password method and privileged sessions (spec §10 C)', (backend) => {
  let t: TestApp;
  let n = 0;
  const user = async (): Promise<User> => seedUser(t, `settings-pw-${backend}-${n++}@example.org`, PASSWORD);
  before(async () => {
    t = await startApp({ backend, config: settingsConfig() });
  });
  after(async () => t.close());

  test('C25: a password under the policy: 400, message on the password node, never echoed', async () => {
    const u = await user();
    const jar = u.jar.clone();
    const flow = await spaFlow(t, jar);
    const res = await submitSPA(t, flow.id, jar, { method: 'password', password: '123456', csrf_token: csrfOf(flow) });
    assert.equal(res.status, 400, res.body);
    const node = nodeOf(res.json(), 'password');
    assert.deepEqual(node.messages[0], {
      id: 4000032,
      text: 'The password must be at least 8 characters long, but got 6.',
      type: 'error',
      context: { actual_length: 6, min_length: 8 },
    });
    assert.equal(node.attributes.value, undefined);
  });

  test('C26: the current password again: 400 with 4000039', async () => {
    const u = await user();
    const flow = await apiFlow(t, u.login.token);
    const res = await submitAPI(t, flow.id, u.login.token, { method: 'password', password: PASSWORD });
    assert.equal(res.status, 400, res.body);
    assert.equal(nodeOf(res.json(), 'password').messages[0].id, 4000039);
  });

  test('C27: browser form: 303 to the same flow; the old password no longer logs in, the new one does', async () => {
    const u = await user();
    const jar = u.jar.clone();
    const flow = await browserFlow(t, jar);
    const res = await submitForm(t, flow.id, jar, { method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(flow) });
    assert.equal(res.status, 303, res.body);
    assert.equal(res.headers.location, `${UI}?flow=${flow.id}`);
    assert.equal(await passwordLogin(t, u.identity.traits.email as string, PASSWORD), 400);
    assert.equal(await passwordLogin(t, u.identity.traits.email as string, NEW_PASSWORD), 200);
    const stored = await t.app.registry.identities.get(u.identity.id);
    assert.match(String(stored?.credentials.password?.config.hashed_password), /^\$argon2id\$/);
  });

  test('C28: an old session through a native flow: 403 session_refresh_required, no continuity cookie', async () => {
    const u = await user();
    await age(t, u.login);
    const flow = await apiFlow(t, u.login.token);
    const res = await submitAPI(t, flow.id, u.login.token, { method: 'password', password: NEW_PASSWORD });
    assert.equal(res.status, 403);
    assert.equal(res.json().error.id, 'session_refresh_required');
    assert.equal(res.json().error.reason, 'The login session is too old and thus not allowed to update these fields. Please re-authenticate.');
    assert.equal(res.json().redirect_browser_to, REFRESH(flow.id));
    assert.equal(res.headers['set-cookie'], undefined);
    assert.equal(await passwordLogin(t, u.identity.traits.email as string, PASSWORD), 200);
  });

  test('C29/C30: an old session through SPA (403) and a browser form (303 to the refresh login)', async () => {
    const u = await user();
    await age(t, u.login);
    const jar = u.jar.clone();
    const flow = await browserFlow(t, jar);
    const spa = await submitSPA(t, flow.id, jar, { method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(flow) });
    assert.equal(spa.status, 403);
    assert.equal(spa.json().error.id, 'session_refresh_required');
    const res = await submitForm(t, flow.id, jar, { method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(flow) });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, REFRESH(flow.id));
    assert.equal(await passwordLogin(t, u.identity.traits.email as string, NEW_PASSWORD), 400);
  });

  test('an old browser session re-authenticates through the refresh login and lands back on the same flow', async () => {
    const u = await user();
    await age(t, u.login);
    const jar = u.jar.clone();
    const flow = await browserFlow(t, jar);
    const refused = await submitForm(t, flow.id, jar, { method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(flow) });
    assert.equal(refused.status, 303);
    // The refresh login, as a browser follows it.
    const init = await get(t, new URL(refused.headers.location).pathname + new URL(refused.headers.location).search, { cookie: jar.header(), accept: 'text/html' });
    assert.equal(init.status, 303, init.body);
    jar.store(init.headers);
    const loginId = new URL(init.headers.location).searchParams.get('flow') as string;
    const login = (await get(t, `/self-service/login/flows?id=${loginId}`, { cookie: jar.header() })).json();
    assert.equal(login.refresh, true);
    const done = await post(t, `/self-service/login?flow=${loginId}`, form({ method: 'password', identifier: u.identity.traits.email as string, password: PASSWORD, csrf_token: csrfOf(login) }), {
      'content-type': FORM,
      accept: 'text/html',
      cookie: jar.header(),
    });
    assert.equal(done.status, 303, done.body);
    assert.equal(done.headers.location, `http://localhost:4433/self-service/settings?flow=${flow.id}`);
    jar.store(done.headers);
    const back = await get(t, `/self-service/settings?flow=${flow.id}`, { cookie: jar.header(), accept: 'text/html' });
    assert.equal(back.status, 303);
    assert.equal(back.headers.location, `${UI}?flow=${flow.id}`);
    const again = (await get(t, `/self-service/settings/flows?id=${flow.id}`, { cookie: jar.header(), accept: 'application/json' })).json();
    const ok = await submitForm(t, flow.id, jar, { method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(again) });
    assert.equal(ok.status, 303, ok.body);
    assert.equal(ok.headers.location, `${UI}?flow=${flow.id}`);
    assert.equal(await passwordLogin(t, u.identity.traits.email as string, NEW_PASSWORD), 200);
  });

  test('C31 without the hook: a password change leaves other sessions alone (Kratos default)', async () => {
    const u = await user();
    const other = await seedSession(t, u.identity);
    const flow = await apiFlow(t, u.login.token);
    assert.equal((await submitAPI(t, flow.id, u.login.token, { method: 'password', password: NEW_PASSWORD })).status, 200);
    assert.equal((await whoami(t, { 'x-session-token': other.token })).status, 200);
  });

  test('SPA success answers the flow with redirect_browser_to and re-issues the session cookie', async () => {
    const u = await user();
    const jar = u.jar.clone();
    const flow = await spaFlow(t, jar);
    const res = await submitSPA(t, flow.id, jar, { method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(flow) });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json().state, 'success');
    assert.equal(nodeOf(res.json(), 'password').attributes.value, undefined);
    assert.ok(setCookies(res.headers).some((c) => c.name === 'ory_kratos_session'));
    assert.equal((await whoami(t, { cookie: jar.header() })).status, 200);
  });
});

forEachBackend('settings flow: revoke_active_sessions after a password change (spec §10 C31)', (backend) => {
  let t: TestApp;
  const events: SessionRevokedEvent[] = [];
  before(async () => {
    t = await startApp({ backend, config: settingsConfig({ after: { password: { hooks: [{ hook: 'revoke_active_sessions' }] } } }) });
    t.app.registry.sessions.onRevoked((e) => {
      events.push(e);
    });
  });
  after(async () => t.close());

  test('every other session ends (whoami 401, one session.revoked credential_change), the current one stays', async () => {
    const u = await seedUser(t, `settings-revoke-${backend}@example.org`, PASSWORD);
    const s2 = await seedSession(t, u.identity);
    const s3 = await seedSession(t, u.identity);
    const jar = u.jar.clone();
    const flow = await spaFlow(t, jar);
    const profile = await submitSPA(t, flow.id, jar, { method: 'profile', traits: { email: u.identity.traits.email, website: 'https://profile.example.org' }, csrf_token: csrfOf(flow) });
    assert.equal(profile.status, 200);
    assert.equal(events.length, 0, 'the hook is configured for the password method only');
    const res = await submitSPA(t, flow.id, jar, { method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(flow) });
    assert.equal(res.status, 200, res.body);
    assert.equal((await whoami(t, { 'x-session-token': s2.token })).status, 401);
    assert.equal((await whoami(t, { 'x-session-token': s3.token })).status, 401);
    assert.equal((await whoami(t, { cookie: jar.header() })).status, 200);
    assert.equal(events.length, 1);
    assert.equal(events[0].reason, 'credential_change');
    assert.equal(events[0].initiator, 'user');
    assert.deepEqual([...events[0].sessionIds].sort(), [s2.session.id, s3.session.id].sort());
  });
});

forEachBackend('login: revoke_active_sessions after a login', (backend) => {
  let t: TestApp;
  const events: SessionRevokedEvent[] = [];
  before(async () => {
    t = await startApp({ backend, config: { selfservice: { flows: { login: { after: { password: { hooks: [{ hook: 'revoke_active_sessions' }] } } } } } } });
    t.app.registry.sessions.onRevoked((e) => {
      events.push(e);
    });
  });
  after(async () => t.close());

  test('a new login ends the identity\'s earlier sessions with reason revoke_active_sessions', async () => {
    const u = await seedUser(t, `login-revoke-${backend}@example.org`, PASSWORD);
    const flow = (await get(t, '/self-service/login/api')).json();
    const res = await post(t, `/self-service/login?flow=${flow.id}`, JSON.stringify({ method: 'password', identifier: u.identity.traits.email, password: PASSWORD }), {
      'content-type': 'application/json',
      accept: 'application/json',
    });
    assert.equal(res.status, 200, res.body);
    assert.equal((await whoami(t, { 'x-session-token': u.login.token })).status, 401);
    assert.equal((await whoami(t, { 'x-session-token': res.json().session_token })).status, 200);
    assert.equal(events.length, 1);
    assert.equal(events[0].reason, 'revoke_active_sessions');
    assert.equal(events[0].initiator, 'policy');
    assert.deepEqual(events[0].sessionIds, [u.login.session.id]);
  });
});
