import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CookieJar, setCookies } from '../../helpers/jar.js';
import { seedLogin } from '../../helpers/seed.js';
import { CSRF_NAME, CSRF_REASON, apiFlow, browserFlow, csrfOf, expire, followError, get, nodeOf, spaFlow } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALREADY = {
  id: 'session_already_available',
  code: 400,
  status: 'Bad Request',
  reason: 'A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?',
  message: 'you are already logged in',
};

forEachBackend('login flow init and fetch', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(async () => t.close());

  test('1: browser init answers 303 to the login UI with the CSRF cookie', async () => {
    const res = await get(t, '/self-service/login/browser');
    assert.equal(res.status, 303);
    const loc = new URL(res.headers.location);
    assert.equal(`${loc.origin}${loc.pathname}`, 'http://localhost:4455/login');
    assert.match(loc.searchParams.get('flow') ?? '', UUID);
    const cookies = setCookies(res.headers);
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0].name, CSRF_NAME);
    assert.match(cookies[0].value, /^[A-Za-z0-9+/]{43}=$/);
    assert.match(cookies[0].raw, /; Path=\/; Max-Age=31536000; HttpOnly; SameSite=Lax$/);
    assert.equal(res.headers.vary, 'Cookie');
  });

  test('2: browser init with Accept: application/json answers 200 with the flow', async () => {
    const res = await get(t, '/self-service/login/browser', { accept: 'application/json' });
    assert.equal(res.status, 200);
    const flow = res.json();
    assert.equal(flow.type, 'browser');
    assert.equal(flow.refresh, false);
    assert.deepEqual(Object.keys(flow), [
      'id', 'organization_id', 'type', 'expires_at', 'issued_at', 'request_url', 'ui', 'created_at', 'updated_at', 'refresh', 'requested_aal', 'state',
    ]);
    assert.equal(flow.organization_id, null);
    assert.equal(flow.state, 'choose_method');
    assert.equal(flow.requested_aal, 'aal1');
    assert.equal(Date.parse(flow.expires_at) - Date.parse(flow.issued_at), 3600_000);
  });

  test('3: the fetched browser flow carries a masked CSRF token and Kratos nodes (§2.3)', async () => {
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'login', jar, '?aal=&refresh=&return_to=&organization=&via=');
    assert.equal(flow.ui.action, `http://localhost:4433/self-service/login?flow=${flow.id}`);
    assert.equal(flow.ui.method, 'POST');
    assert.equal(flow.ui.messages, undefined);
    assert.equal(flow.return_to, undefined);
    assert.match(csrfOf(flow), /^[A-Za-z0-9+/]{86}==$/);
    assert.notEqual(csrfOf(flow), jar.get(CSRF_NAME));
    assert.deepEqual(flow.ui.nodes.slice(1), [
      {
        type: 'input', group: 'default',
        attributes: { name: 'identifier', type: 'text', value: '', required: true, disabled: false, node_type: 'input' },
        messages: [],
        meta: { label: { id: 1070002, text: 'Your E-Mail', type: 'info', context: { name: 'traits.email', title: 'Your E-Mail' } } },
      },
      {
        type: 'input', group: 'password',
        attributes: { name: 'password', type: 'password', required: true, autocomplete: 'current-password', disabled: false, node_type: 'input' },
        messages: [],
        meta: { label: { id: 1070001, text: 'Password', type: 'info' } },
      },
      {
        type: 'input', group: 'password',
        attributes: { name: 'method', type: 'submit', value: 'password', disabled: false, node_type: 'input' },
        messages: [],
        meta: { label: { id: 1010022, text: 'Sign in with password', type: 'info' } },
      },
    ]);
    assert.deepEqual(Object.keys(flow.ui.nodes[0].attributes), ['name', 'type', 'value', 'required', 'disabled', 'node_type']);
    assert.match(flow.request_url, /\/self-service\/login\/browser\?aal=&refresh=&return_to=&organization=&via=$/);
  });

  test('4: fetching a browser flow without its CSRF cookie is a 403 CSRF violation', async () => {
    const flow = await browserFlow(t, 'login', new CookieJar());
    const none = await get(t, `/self-service/login/flows?id=${flow.id}`);
    assert.equal(none.status, 403);
    assert.equal(none.headers['ory-error-id'], 'security_csrf_violation');
    const e = none.json().error;
    assert.equal(e.id, 'security_csrf_violation');
    assert.equal(e.reason, CSRF_REASON);
    assert.equal(e.details.reject_reason, 'The HTTP Cookie Header is empty or not set.');
    const other = new CookieJar();
    await browserFlow(t, 'login', other);
    const stale = await get(t, `/self-service/login/flows?id=${flow.id}`, { cookie: other.header() });
    assert.equal(stale.status, 403);
    assert.deepEqual(Object.keys(stale.json().error.details), ['docs', 'hint']);
    assert.match(stale.json().error.details.hint, /was not included in the HTTP request body/);
    const unrelated = await get(t, `/self-service/login/flows?id=${flow.id}`, { cookie: 'foo=bar' });
    assert.equal(unrelated.json().error.details.reject_reason, 'The HTTP Cookie Header was set but did not include the anti-CSRF cookie.');
  });

  test('5/6: an expired flow is 410 with redirect_to and return_to', async () => {
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'login', jar);
    await expire(t, 'login', flow.id);
    const res = await get(t, `/self-service/login/flows?id=${flow.id}`, { cookie: jar.header() });
    assert.equal(res.status, 410);
    assert.deepEqual(res.json(), {
      error: {
        id: 'self_service_flow_expired',
        code: 410,
        status: 'Gone',
        reason: 'The login flow has expired. Redirect the user to the login flow init endpoint to initialize a new login flow.',
        details: { redirect_to: 'http://localhost:4433/self-service/login/browser', return_to: '' },
        message: 'The requested resource is no longer available because it has expired or is otherwise invalid.',
      },
    });
    const withReturn = await browserFlow(t, 'login', jar, `?return_to=${encodeURIComponent('https://www.example.org/')}`);
    assert.equal(withReturn.return_to, 'https://www.example.org/');
    await expire(t, 'login', withReturn.id);
    const gone = (await get(t, `/self-service/login/flows?id=${withReturn.id}`, { cookie: jar.header() })).json().error;
    assert.equal(gone.details.return_to, 'https://www.example.org/');
    assert.equal(gone.details.redirect_to, 'http://localhost:4433/self-service/login/browser?return_to=https%3A%2F%2Fwww.example.org%2F');
    const api = await apiFlow(t, 'login');
    await expire(t, 'login', api.id);
    const apiGone = (await get(t, `/self-service/login/flows?id=${api.id}`)).json().error;
    assert.equal(apiGone.reason, 'The login flow has expired. Call the login flow init API endpoint to initialize a new login flow.');
    assert.deepEqual(apiGone.details, { api: 'http://localhost:4433/self-service/login/api' });
  });

  test('7: unknown or malformed flow ids are 404', async () => {
    for (const id of ['0c6c5d3e-1a37-4c8e-8e8a-6f3f9b0a7f11', 'not-a-uuid', '']) {
      const res = await get(t, `/self-service/login/flows?id=${id}`);
      assert.equal(res.status, 404);
      assert.deepEqual(res.json(), { error: { code: 404, status: 'Not Found', message: 'Unable to locate the resource' } });
    }
    const reg = await apiFlow(t, 'registration');
    assert.equal((await get(t, `/self-service/login/flows?id=${reg.id}`)).status, 404);
  });

  test('8/9: native init answers 200 without cookies; refresh without a session is false', async () => {
    const res = await get(t, '/self-service/login/api?refresh=true');
    assert.equal(res.status, 200);
    assert.equal(res.headers['set-cookie'], undefined);
    const flow = res.json();
    assert.equal(flow.type, 'api');
    assert.equal(flow.refresh, false);
    assert.equal(flow.session_token_exchange_code, undefined);
    assert.equal(csrfOf(flow), '');
    const api = await get(t, '/self-service/login/api?return_session_token_exchange_code=true');
    assert.match(api.json().session_token_exchange_code, /^[A-Za-z0-9]{64}$/);
  });

  test('10/17: aal2 without a session is refused (JSON 401 / error UI)', async () => {
    const res = await get(t, '/self-service/login/api?aal=aal2');
    assert.equal(res.status, 401);
    assert.equal(res.json().error.id, 'session_aal1_required');
    assert.equal(res.json().error.reason, 'You can not requested a higher AAL (AAL2/AAL3) without an active session.');
    const browser = await get(t, '/self-service/login/browser?aal=aal2');
    const stored = await followError(t, browser);
    assert.equal(stored.reason, 'You can not requested a higher AAL (AAL2/AAL3) without an active session.');
  });

  test('11/12/13: native init with a session: 400 already logged in, refresh shows the identifier, aal0 refused', async () => {
    const { token, identity } = await seedLogin(t, { password: 'x-password-123' });
    for (const headers of [{ 'x-session-token': token }, { authorization: `Bearer ${token}` }] as Array<Record<string, string>>) {
      const res = await get(t, '/self-service/login/api', headers);
      assert.equal(res.status, 400);
      assert.deepEqual(res.json(), { error: ALREADY });
    }
    const refresh = await apiFlow(t, 'login', '?refresh=true', { 'x-session-token': token });
    assert.equal(refresh.refresh, true);
    assert.deepEqual(refresh.ui.messages, [{ id: 1010003, text: 'Please confirm this action by verifying that it is you.', type: 'info' }]);
    assert.deepEqual(nodeOf(refresh, 'identifier'), {
      type: 'input', group: 'default',
      attributes: { name: 'identifier', type: 'hidden', value: (identity.traits.email as string).toLowerCase(), disabled: false, node_type: 'input' },
      messages: [], meta: {},
    });
    assert.equal(nodeOf(refresh, 'password').attributes.value, undefined);
    assert.deepEqual(nodeOf(refresh, 'method').meta.label, { id: 1010001, text: 'Sign in', type: 'info' });
    const aal0 = await get(t, '/self-service/login/api?aal=aal0', { 'x-session-token': token });
    assert.equal(aal0.status, 400);
    assert.equal(aal0.json().error.reason, 'Unable to parse AuthenticationMethod Assurance Level (AAL): expected one of [aal1, aal2] but got aal0');
  });

  test('14/15/16: browser init with a session: redirect, 400 for JSON, refresh form', async () => {
    const { cookie } = await seedLogin(t, { password: 'x-password-123' });
    const html = await get(t, '/self-service/login/browser', { cookie });
    assert.equal(html.status, 303);
    assert.equal(html.headers.location, 'http://localhost:4455/');
    const allowed = await get(t, `/self-service/login/browser?return_to=${encodeURIComponent('https://www.ory.sh/docs')}`, { cookie });
    assert.equal(allowed.headers.location, 'https://www.ory.sh/docs');
    const json = await get(t, '/self-service/login/browser', { cookie, accept: 'application/json' });
    assert.equal(json.status, 400);
    assert.deepEqual(json.json(), { error: ALREADY });
    const jar = CookieJar.fromHeader(cookie);
    const flow = await browserFlow(t, 'login', jar, '?refresh=true');
    assert.equal(flow.refresh, true);
    assert.equal(nodeOf(flow, 'identifier').attributes.type, 'hidden');
  });

  test('18: a disallowed return_to sends browsers to the error UI and JSON clients a 400', async () => {
    const res = await get(t, '/self-service/login/browser?return_to=https://not-allowed');
    const stored = await followError(t, res);
    assert.equal(stored.id, 'self_service_flow_return_to_forbidden');
    assert.equal(stored.reason, 'Requested return_to URL "https://not-allowed" is not allowed.');
    const api = await get(t, '/self-service/login/api?return_to=https://not-allowed');
    assert.equal(api.status, 400);
    assert.equal(api.json().error.id, 'self_service_flow_return_to_forbidden');
    const spa = await get(t, '/self-service/login/browser?return_to=https://not-allowed', { accept: 'application/json' });
    assert.equal(spa.status, 400);
  });

  test('19/20: login_challenge without Hydra and an unknown identity_schema are refused', async () => {
    const res = await get(t, '/self-service/login/browser?login_challenge=x');
    const stored = await followError(t, res);
    assert.match(stored.reason, /refusing to parse/);
    const schema = await get(t, '/self-service/login/api?identity_schema=not-found');
    assert.equal(schema.status, 400);
  });

  test('a CSRF cookie is set once and kept; the admin port redirects to the public one', async () => {
    const jar = new CookieJar();
    await spaFlow(t, 'login', jar);
    const again = await get(t, '/self-service/login/browser', { cookie: jar.header(), accept: 'application/json' });
    assert.equal(again.headers['set-cookie'], undefined);
    const admin = await t.app.admin.inject({ method: 'GET', url: '/self-service/login/browser?return_to=x' });
    assert.equal(admin.statusCode, 307);
    assert.equal(admin.headers.location, 'http://localhost:4433/self-service/login/browser?return_to=x');
  });
});
