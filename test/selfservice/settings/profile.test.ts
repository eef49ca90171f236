import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CookieJar, setCookies } from '../../helpers/jar.js';
import {
  PASSWORD, UI, age, apiFlow, browserFlow, csrfOf, expireFlow, followError, get, nodeOf, seedUser, settingsConfig, spaFlow, submitAPI, submitForm, submitSPA, type User,
} from './helpers.js';

const SAVED = [{ id: 1050001, text: 'Your changes have been saved!', type: 'success' }];
const REFRESH = (id: string) =>
  `http://localhost:4433/self-service/login/browser?refresh=true&return_to=${encodeURIComponent(`http://localhost:4433/self-service/settings?flow=${id}`)}`;

forEachBackend('settings flow: profile method (spec §10 B)', (backend) => {
  let t: TestApp;
  let n = 0;
  const user = async (): Promise<User> => seedUser(t, `settings-profile-${backend}-${n++}@example.org`, PASSWORD);
  before(async () => {
    t = await startApp({ backend, config: settingsConfig() });
  });
  after(async () => t.close());

  test('B13: browser form: 303 back to the same flow, cookie re-issued, state success with the message', async () => {
    const u = await user();
    const jar = u.jar.clone();
    const flow = await browserFlow(t, jar);
    const res = await submitForm(t, flow.id, jar, {
      method: 'profile',
      'traits.email': u.identity.traits.email as string,
      'traits.website': 'https://github.com/ory',
      'traits.age': '30',
      csrf_token: csrfOf(flow),
    });
    assert.equal(res.status, 303, res.body);
    assert.equal(res.headers.location, `${UI}?flow=${flow.id}`);
    assert.ok(setCookies(res.headers).some((c) => c.name === 'ory_kratos_session'));
    const after = (await get(t, `/self-service/settings/flows?id=${flow.id}`, { cookie: jar.header(), accept: 'application/json' })).json();
    assert.equal(after.state, 'success');
    assert.deepEqual(after.ui.messages, SAVED);
    assert.equal(nodeOf(after, 'traits.age').attributes.value, 30);
    assert.equal(after.identity.traits.website, 'https://github.com/ory');
  });

  test('B14: SPA: 200 success with redirect_browser_to the same flow, cookie re-issued', async () => {
    const u = await user();
    const jar = u.jar.clone();
    const flow = await spaFlow(t, jar);
    const res = await submitSPA(t, flow.id, jar, { method: 'profile', traits: { email: u.identity.traits.email, website: 'https://github.com/ory', age: 30 }, csrf_token: csrfOf(flow) });
    assert.equal(res.status, 200, res.body);
    const body = res.json();
    assert.equal(body.state, 'success');
    assert.deepEqual(body.continue_with, [{ action: 'redirect_browser_to', redirect_browser_to: `${UI}?flow=${flow.id}` }]);
    assert.ok(setCookies(res.headers).some((c) => c.name === 'ory_kratos_session'));
  });

  test('B15: native: 200 success, no continue_with, no Set-Cookie', async () => {
    const u = await user();
    const flow = await apiFlow(t, u.login.token);
    const res = await submitAPI(t, flow.id, u.login.token, { method: 'profile', traits: { email: u.identity.traits.email, website: 'https://github.com/ory', age: 31 } });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json().state, 'success');
    assert.equal(res.json().continue_with, undefined);
    assert.equal(res.json().identity.traits.age, 31);
    assert.equal(res.headers['set-cookie'], undefined);
  });

  test('B16: a schema violation is written into the node; browsers go back to the form, SPA and native get 400', async () => {
    const u = await user();
    const jar = u.jar.clone();
    const flow = await browserFlow(t, jar);
    const res = await submitForm(t, flow.id, jar, { method: 'profile', 'traits.email': u.identity.traits.email as string, 'traits.website': 'http://s', csrf_token: csrfOf(flow) });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, `${UI}?flow=${flow.id}`);
    const again = (await get(t, `/self-service/settings/flows?id=${flow.id}`, { cookie: jar.header(), accept: 'application/json' })).json();
    const website = nodeOf(again, 'traits.website');
    assert.equal(website.attributes.value, 'http://s');
    assert.equal(website.messages[0].id, 4000003);
    assert.equal(website.messages[0].text, 'length must be >= 10, but got 8');
    assert.equal(again.state, 'show_form');
    const api = await apiFlow(t, u.login.token);
    const bad = await submitAPI(t, api.id, u.login.token, { method: 'profile', traits: { email: u.identity.traits.email, website: 'http://s' } });
    assert.equal(bad.status, 400);
    assert.equal(nodeOf(bad.json(), 'traits.website').messages[0].id, 4000003);
  });

  test('B17: a wrong CSRF token: browsers see the error UI, SPA 403 security_csrf_violation', async () => {
    const u = await user();
    const jar = u.jar.clone();
    const flow = await browserFlow(t, jar);
    const res = await submitForm(t, flow.id, jar, { method: 'profile', 'traits.email': u.identity.traits.email as string, 'traits.website': 'https://github.com/ory', csrf_token: 'invalid' });
    assert.equal((await followError(t, res)).id, 'security_csrf_violation');
    const spa = await submitSPA(t, flow.id, jar, { method: 'profile', traits: { email: u.identity.traits.email, website: 'https://github.com/ory' }, csrf_token: 'invalid' });
    assert.equal(spa.status, 403);
    assert.equal(spa.json().error.id, 'security_csrf_violation');
  });

  test('B18: a native flow refuses Cookie and Origin headers', async () => {
    const u = await user();
    const flow = await apiFlow(t, u.login.token);
    const body = { method: 'profile', traits: { email: u.identity.traits.email, website: 'https://github.com/ory' } };
    const cookie = await submitAPI(t, flow.id, u.login.token, body, { cookie: 'name=bar' });
    assert.equal(cookie.status, 400);
    assert.match(JSON.stringify(cookie.json()), /The HTTP Request Header included the \\"Cookie\\" key/);
    const origin = await submitAPI(t, flow.id, u.login.token, body, { origin: 'https://www.bar.com' });
    assert.equal(origin.status, 400);
    assert.match(JSON.stringify(origin.json()), /included the \\"Origin\\" key/);
  });

  test('B19: no method: 400 with 4010004', async () => {
    const u = await user();
    const jar = u.jar.clone();
    const flow = await spaFlow(t, jar);
    const res = await submitSPA(t, flow.id, jar, { csrf_token: csrfOf(flow) });
    assert.equal(res.status, 400);
    assert.equal(res.json().ui.messages[0].id, 4010004);
  });

  test('B20: a flow submitted with another identity\'s session is refused', async () => {
    const u = await user();
    const other = await user();
    const flow = await apiFlow(t, u.login.token);
    const res = await submitAPI(t, flow.id, other.login.token, { method: 'profile', traits: { email: other.identity.traits.email, website: 'https://github.com/ory' } });
    assert.equal(res.status, 403);
    assert.equal(res.json().error.id, 'security_identity_mismatch');
    assert.equal(res.json().error.reason, 'The request was initiated by someone else and has been blocked for security reasons. Please go back and try again.');
    const jar = u.jar.clone();
    const bflow = await browserFlow(t, jar);
    const otherJar = other.jar.clone();
    for (const name of jar.names()) if (name !== 'ory_kratos_session') otherJar.set(name, jar.get(name) as string);
    const form = await submitForm(t, bflow.id, otherJar, { method: 'profile', 'traits.email': other.identity.traits.email as string, 'traits.website': 'https://github.com/ory', csrf_token: csrfOf(bflow) });
    assert.equal((await followError(t, form)).id, 'security_identity_mismatch');
  });

  test('B21/B22: an old session may change unprotected traits, but an email change needs re-authentication', async () => {
    const u = await user();
    await age(t, u.login);
    const jar = u.jar.clone();
    const flow = await spaFlow(t, jar);
    const website = await submitSPA(t, flow.id, jar, { method: 'profile', traits: { email: u.identity.traits.email, website: 'https://unprotected.example.org' }, csrf_token: csrfOf(flow) });
    assert.equal(website.status, 200, website.body);
    const changed = `changed-${u.identity.traits.email}`;
    const spa = await submitSPA(t, flow.id, jar, { method: 'profile', traits: { email: changed, website: 'https://github.com/ory' }, csrf_token: csrfOf(flow) });
    assert.equal(spa.status, 403);
    assert.equal(spa.json().error.id, 'session_refresh_required');
    assert.equal(spa.json().redirect_browser_to, REFRESH(flow.id));
    const form = await submitForm(t, flow.id, jar, { method: 'profile', 'traits.email': changed, 'traits.website': 'https://github.com/ory', csrf_token: csrfOf(flow) });
    assert.equal(form.status, 303);
    assert.equal(form.headers.location, REFRESH(flow.id));
    const stored = await t.app.registry.identities.get(u.identity.id);
    assert.equal(stored?.traits.email, u.identity.traits.email);
  });

  test('B23: a fresh session changes the email: the new address is unverified and becomes the login identifier', async () => {
    const u = await user();
    const flow = await apiFlow(t, u.login.token);
    const changed = `new-${u.identity.traits.email}`;
    const res = await submitAPI(t, flow.id, u.login.token, { method: 'profile', traits: { email: changed, website: 'https://github.com/ory' } });
    assert.equal(res.status, 200, res.body);
    const addresses = res.json().identity.verifiable_addresses;
    assert.equal(addresses.length, 1);
    assert.equal(addresses[0].value, changed);
    assert.equal(addresses[0].verified, false);
    assert.equal(addresses[0].status, 'pending');
    assert.notEqual(addresses[0].id, u.identity.verifiableAddresses[0].id);
    const stored = await t.app.registry.identities.get(u.identity.id);
    assert.deepEqual(stored?.credentials.password?.identifiers, [changed]);
  });

  test('B24: the email of another identity: 400 with 4000007', async () => {
    const u = await user();
    const other = await user();
    const jar = u.jar.clone();
    const flow = await spaFlow(t, jar);
    const res = await submitSPA(t, flow.id, jar, { method: 'profile', traits: { email: other.identity.traits.email, website: 'https://github.com/ory' }, csrf_token: csrfOf(flow) });
    assert.equal(res.status, 400, res.body);
    assert.equal(res.json().ui.messages[0].id, 4000007);
  });

  test('C33: an expired flow: SPA 410 with a new flow carrying 4050001, browsers 303 to the new flow', async () => {
    const u = await user();
    const jar = u.jar.clone();
    const flow = await spaFlow(t, jar);
    await expireFlow(t, flow.id);
    const spa = await submitSPA(t, flow.id, jar, { method: 'profile', traits: u.identity.traits, csrf_token: csrfOf(flow) });
    assert.equal(spa.status, 410);
    assert.equal(spa.json().error.id, 'self_service_flow_expired');
    const next = (await get(t, `/self-service/settings/flows?id=${spa.json().use_flow_id}`, { cookie: jar.header(), accept: 'application/json' })).json();
    assert.equal(next.ui.messages[0].id, 4050001);
    assert.equal(next.request_url, flow.request_url);
    const form = await submitForm(t, flow.id, jar, { method: 'profile', csrf_token: csrfOf(flow) });
    assert.equal(form.status, 303);
    assert.match(form.headers.location, new RegExp(`^${UI}\\?flow=`));
    assert.notEqual(new URL(form.headers.location).searchParams.get('flow'), flow.id);
  });

  test('submit without a session: 401 JSON, 302 to the login UI for browsers; unknown flow 404', async () => {
    const u = await user();
    const flow = await apiFlow(t, u.login.token);
    const json = await submitAPI(t, flow.id, 'ory_st_invalid', { method: 'profile', traits: u.identity.traits });
    assert.equal(json.status, 401);
    assert.equal(json.json().error.reason, 'A valid Ory Session Cookie or Ory Session Token is missing.');
    const form = await submitForm(t, flow.id, new CookieJar(), { method: 'profile' });
    assert.equal(form.status, 302);
    assert.equal(form.headers.location, 'http://localhost:4455/login');
    const missing = await submitAPI(t, '5b2bc4b8-8a4f-4f7b-9d6a-4c0c6a1b7b7e', u.login.token, { method: 'profile' });
    assert.equal(missing.status, 404);
    assert.equal(missing.json().error.reason, 'The settings request could not be found. Please restart the flow.');
  });

  test('a disabled profile method answers 404 and renders no profile nodes', async () => {
    const t2 = await startApp({ backend, config: { ...settingsConfig(), selfservice: { ...settingsConfig().selfservice, methods: { profile: { enabled: false } } } } });
    try {
      const u = await seedUser(t2, `settings-disabled-${backend}@example.org`, PASSWORD);
      const flow = await apiFlow(t2, u.login.token);
      assert.ok(!flow.ui.nodes.some((n: any) => n.group === 'profile'));
      const res = await submitAPI(t2, flow.id, u.login.token, { method: 'profile', traits: u.identity.traits });
      assert.equal(res.status, 404);
    } finally {
      await t2.close();
    }
  });
});
