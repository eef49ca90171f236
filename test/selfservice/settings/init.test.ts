import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CookieJar } from '../../helpers/jar.js';
import { PASSWORD, UI, apiFlow, browserFlow, expireFlow, get, nodeNames, seedUser, settingsConfig, spaFlow, type User } from './helpers.js';

const NODES = [
  'csrf_token(default)',
  'traits.email(profile)',
  'traits.website(profile)',
  'traits.tos(profile)',
  'traits.age(profile)',
  'traits.consent(profile)',
  'traits.newsletter(profile)',
  'method(profile)',
  'password(password)',
  'method(password)',
];

forEachBackend('settings flow: init and get (spec §10 A)', (backend) => {
  let t: TestApp;
  let u: User;
  before(async () => {
    t = await startApp({ backend, config: settingsConfig() });
    u = await seedUser(t, `settings-init-${backend}@example.org`, PASSWORD);
  });
  after(async () => t.close());

  test('A1/A2: browser init without a session goes to the login init, return_to carried over', async () => {
    const plain = await get(t, '/self-service/settings/browser', { accept: 'text/html' });
    assert.equal(plain.status, 303);
    assert.equal(plain.headers.location, 'http://localhost:4433/self-service/login/browser');
    const withReturn = await get(t, '/self-service/settings/browser?return_to=https://www.example.org/', { accept: 'text/html' });
    assert.equal(withReturn.status, 303);
    assert.equal(withReturn.headers.location, 'http://localhost:4433/self-service/login/browser?return_to=https%3A%2F%2Fwww.example.org%2F');
  });

  test('A3/A4: SPA and native init without a session answer 401 session_inactive', async () => {
    const spa = await get(t, '/self-service/settings/browser', { accept: 'application/json' });
    assert.equal(spa.status, 401);
    assert.equal(spa.json().error.id, 'session_inactive');
    const api = await get(t, '/self-service/settings/api');
    assert.equal(api.status, 401);
    assert.equal(api.json().error.id, 'session_inactive');
    assert.equal(api.json().error.reason, 'This endpoint can only be accessed with a valid session. Please log in and try again.');
  });

  test('A5: browser init with a session: 303 to the UI, the flow has the identity and Kratos\'s node order', async () => {
    const flow = await browserFlow(t, u.jar.clone());
    assert.equal(flow.type, 'browser');
    assert.equal(flow.state, 'show_form');
    assert.equal(flow.ui.action, `http://localhost:4433/self-service/settings?flow=${flow.id}`);
    assert.deepEqual(nodeNames(flow), NODES);
    assert.equal(flow.identity.id, u.identity.id);
    assert.equal(flow.identity.credentials, undefined);
    assert.equal(flow.organization_id, null);
    assert.deepEqual(Object.keys(flow), ['id', 'type', 'expires_at', 'issued_at', 'request_url', 'ui', 'identity', 'state', 'organization_id']);
    const email = flow.ui.nodes.find((n: any) => n.attributes.name === 'traits.email');
    assert.deepEqual(email, {
      type: 'input',
      group: 'profile',
      attributes: { name: 'traits.email', type: 'email', value: u.identity.traits.email, required: true, autocomplete: 'email', disabled: false, node_type: 'input' },
      messages: [],
      meta: { label: { id: 1070002, text: 'Your E-Mail', type: 'info', context: { name: 'traits.email', title: 'Your E-Mail' } } },
    });
    const password = flow.ui.nodes.find((n: any) => n.attributes.name === 'password');
    assert.equal(password.attributes.value, undefined);
    assert.equal(password.attributes.autocomplete, 'new-password');
    const submits = flow.ui.nodes.filter((n: any) => n.attributes.name === 'method').map((n: any) => [n.attributes.value, n.meta.label.text]);
    assert.deepEqual(submits, [['profile', 'Save'], ['password', 'Save']]);
  });

  test('A6: native init with the token: api flow, empty csrf_token, no Set-Cookie', async () => {
    const res = await get(t, '/self-service/settings/api', { 'x-session-token': u.login.token });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.headers['set-cookie'], undefined);
    const flow = res.json();
    assert.equal(flow.type, 'api');
    assert.equal(flow.ui.nodes[0].attributes.value, '');
    assert.deepEqual(nodeNames(flow), NODES);
  });

  test('A7: an unknown flow is 404', async () => {
    const res = await get(t, '/self-service/settings/flows?id=5b2bc4b8-8a4f-4f7b-9d6a-4c0c6a1b7b7e', { cookie: u.jar.header(), accept: 'application/json' });
    assert.equal(res.status, 404);
  });

  test('A8: another identity cannot read the flow (security_identity_mismatch)', async () => {
    const other = await seedUser(t, `settings-other-${backend}@example.org`, PASSWORD);
    const flow = await apiFlow(t, u.login.token);
    const res = await get(t, `/self-service/settings/flows?id=${flow.id}`, { 'x-session-token': other.login.token });
    assert.equal(res.status, 403);
    assert.equal(res.json().error.id, 'security_identity_mismatch');
    assert.equal(res.json().error.reason, 'The request was made for another identity and has been blocked for security reasons.');
  });

  test('A9: an expired browser flow answers 410 pointing at a new flow with the same return_to', async () => {
    const jar = u.jar.clone();
    const flow = await spaFlow(t, jar, '?return_to=https://www.example.org/');
    assert.equal(flow.return_to, 'https://www.example.org/');
    await expireFlow(t, flow.id);
    const res = await get(t, `/self-service/settings/flows?id=${flow.id}`, { cookie: jar.header(), accept: 'application/json' });
    assert.equal(res.status, 410);
    assert.equal(res.json().error.details.redirect_to, 'http://localhost:4433/self-service/settings/browser?return_to=https%3A%2F%2Fwww.example.org%2F');
    assert.equal(res.json().error.details.return_to, 'https://www.example.org/');
  });

  test('A10: get without a session: 401 for JSON, 302 to the login UI for browsers', async () => {
    const flow = await apiFlow(t, u.login.token);
    const json = await get(t, `/self-service/settings/flows?id=${flow.id}`, { accept: 'application/json' });
    assert.equal(json.status, 401);
    assert.equal(json.json().error.id, undefined);
    assert.equal(json.json().error.reason, 'A valid Ory Session Cookie or Ory Session Token is missing.');
    const browser = await get(t, `/self-service/settings/flows?id=${flow.id}`, { accept: 'text/html' });
    assert.equal(browser.status, 302);
    assert.equal(browser.headers.location, 'http://localhost:4455/login');
  });

  test('A11/A12: /.well-known/change-password and the admin port redirect', async () => {
    const wk = await get(t, '/.well-known/change-password');
    assert.equal(wk.status, 303);
    assert.equal(wk.headers.location, UI);
    const admin = await t.app.admin.inject({ method: 'GET', url: '/admin/self-service/settings/browser' });
    assert.equal(admin.statusCode, 307);
    assert.equal(admin.headers.location, 'http://localhost:4433/self-service/settings/browser');
  });

  test('a return_to outside the allow-list is refused at init', async () => {
    const res = await get(t, '/self-service/settings/browser?return_to=https://evil.example.net/', { cookie: u.jar.header(), accept: 'application/json' });
    assert.equal(res.status, 400);
    assert.equal(res.json().error.id, 'self_service_flow_return_to_forbidden');
  });

  test('a fresh jar without a session cookie is not a session', async () => {
    const res = await get(t, '/self-service/settings/browser', { cookie: new CookieJar().set('x', 'y').header(), accept: 'application/json' });
    assert.equal(res.status, 401);
  });
});
