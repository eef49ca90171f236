import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CookieJar, setCookies } from '../../helpers/jar.js';
import { seedLogin } from '../../helpers/seed.js';
import {
  CSRF_NAME, apiFlow, browserFlow, csrfOf, expire, followError, get, nodeOf, post, spaFlow, submitAPI, submitForm, submitSPA, whoami,
} from '../login/helpers.js';

const PASSWORD = 'l3f9toh1uaf81n21';
const ALREADY = {
  id: 'session_already_available',
  code: 400,
  status: 'Bad Request',
  reason: 'A valid session was detected and thus registration is not possible.',
  message: 'you are already logged in',
};
let counter = 0;
const uniqueEmail = () => `reg-${process.pid}-${++counter}@example.org`;
const valid = (email = uniqueEmail()) => ({ method: 'password', password: PASSWORD, traits: { email, website: 'https://www.ory.sh' } });
const flat = (email = uniqueEmail()) => ({ method: 'password', password: PASSWORD, 'traits.email': email, 'traits.website': 'https://www.ory.sh' });
type Node = { attributes: { name: string } };
const names = (flow: Record<string, any>) => (flow.ui.nodes as Node[]).map((n) => n.attributes.name);

forEachBackend('registration flows', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(async () => t.close());

  test('52/53: browser init redirects to the registration UI; JSON gets the flow', async () => {
    const res = await get(t, '/self-service/registration/browser');
    assert.equal(res.status, 303);
    assert.match(res.headers.location, /^http:\/\/localhost:4455\/registration\?flow=[0-9a-f-]{36}$/);
    assert.equal(setCookies(res.headers)[0].name, CSRF_NAME);
    const json = await get(t, '/self-service/registration/browser', { accept: 'application/json' });
    assert.equal(json.status, 200);
    const flow = json.json();
    assert.deepEqual(Object.keys(flow), ['id', 'type', 'expires_at', 'issued_at', 'request_url', 'ui', 'organization_id', 'state']);
    assert.equal(flow.type, 'browser');
  });

  test('§2.5: registration nodes follow the schema in Kratos order', async () => {
    const flow = await browserFlow(t, 'registration', new CookieJar());
    assert.deepEqual(names(flow), ['csrf_token', 'traits.email', 'password', 'traits.website', 'traits.tos', 'traits.age', 'traits.consent', 'traits.newsletter', 'method']);
    assert.deepEqual(nodeOf(flow, 'traits.email'), {
      type: 'input', group: 'default',
      attributes: { name: 'traits.email', type: 'email', required: true, autocomplete: 'email', disabled: false, node_type: 'input' },
      messages: [],
      meta: { label: { id: 1070002, text: 'Your E-Mail', type: 'info', context: { name: 'traits.email', title: 'Your E-Mail' } } },
    });
    assert.deepEqual(nodeOf(flow, 'password').attributes, { name: 'password', type: 'password', required: true, autocomplete: 'new-password', disabled: false, node_type: 'input' });
    assert.deepEqual(nodeOf(flow, 'traits.website').attributes, { name: 'traits.website', type: 'url', required: true, autocomplete: 'url', disabled: false, node_type: 'input' });
    assert.deepEqual(nodeOf(flow, 'traits.tos').attributes, { name: 'traits.tos', type: 'checkbox', disabled: false, node_type: 'input' });
    assert.deepEqual(nodeOf(flow, 'traits.age').attributes, { name: 'traits.age', type: 'number', disabled: false, node_type: 'input' });
    assert.deepEqual(nodeOf(flow, 'method').meta.label, { id: 1040001, text: 'Sign up', type: 'info' });
    assert.match(csrfOf(flow), /^[A-Za-z0-9+/]{86}==$/);
  });

  test('54/55/56: with a session: redirect (to an allowed return_to), 400 for JSON and native', async () => {
    const { cookie, token } = await seedLogin(t, { password: PASSWORD });
    const html = await get(t, '/self-service/registration/browser', { cookie });
    assert.equal(html.status, 303);
    assert.equal(html.headers.location, 'http://localhost:4455/');
    const ret = await get(t, `/self-service/registration/browser?return_to=${encodeURIComponent('https://www.example.org/welcome')}`, { cookie });
    assert.equal(ret.headers.location, 'https://www.example.org/welcome');
    const json = await get(t, '/self-service/registration/browser', { cookie, accept: 'application/json' });
    assert.equal(json.status, 400);
    assert.deepEqual(json.json(), { error: ALREADY });
    const api = await get(t, '/self-service/registration/api', { 'x-session-token': token });
    assert.equal(api.status, 400);
    assert.deepEqual(api.json(), { error: ALREADY });
  });

  test('57: a session token exchange code only for native flows asking with "true"', async () => {
    assert.match((await apiFlow(t, 'registration', '?return_session_token_exchange_code=true')).session_token_exchange_code, /^[A-Za-z0-9]{64}$/);
    assert.equal((await apiFlow(t, 'registration', '?return_session_token_exchange_code=1')).session_token_exchange_code, undefined);
    const b = await get(t, '/self-service/registration/browser?return_session_token_exchange_code=true', { accept: 'application/json' });
    assert.equal(b.json().session_token_exchange_code, undefined);
  });

  test('59/79: native registration with the session hook: token, session, identity, set_ory_session_token', async () => {
    const email = uniqueEmail();
    const flow = await apiFlow(t, 'registration');
    const res = await submitAPI(t, 'registration', flow.id, valid(email));
    assert.equal(res.status, 200, res.body);
    assert.equal(res.headers['set-cookie'], undefined);
    const body = res.json();
    assert.deepEqual(Object.keys(body), ['session_token', 'session', 'identity', 'continue_with']);
    assert.equal(body.identity.traits.email, email);
    assert.equal(body.identity.credentials, undefined);
    assert.deepEqual(body.continue_with, [{ action: 'set_ory_session_token', ory_session_token: body.session_token }]);
    assert.equal(body.session.identity.id, body.identity.id);
    const me = await whoami(t, { 'x-session-token': body.session_token });
    assert.equal(me.status, 200);
    assert.equal(me.json().id, body.session.id);
    const login = await apiFlow(t, 'login');
    assert.equal((await submitAPI(t, 'login', login.id, { method: 'password', identifier: email, password: PASSWORD })).status, 200);
  });

  test('60/79: SPA registration: cookie, session and identity, redirect_browser_to, no token', async () => {
    const jar = new CookieJar();
    const flow = await spaFlow(t, 'registration', jar, `?return_to=${encodeURIComponent('https://www.example.org/next')}`);
    const res = await submitSPA(t, 'registration', flow.id, jar, { ...valid(), csrf_token: csrfOf(flow) });
    assert.equal(res.status, 200, res.body);
    const body = res.json();
    assert.deepEqual(Object.keys(body), ['session', 'identity', 'continue_with']);
    assert.deepEqual(body.continue_with, [{ action: 'redirect_browser_to', redirect_browser_to: 'https://www.example.org/next' }]);
    assert.ok(jar.get('ory_kratos_session'));
    assert.equal((await whoami(t, { cookie: jar.header() })).json().id, body.session.id);
  });

  test('61/69/79: browser registration (form, flat traits) and JSON with nested traits', async () => {
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'registration', jar);
    const csrfBefore = jar.get(CSRF_NAME);
    const fields = { ...flat(), csrf_token: csrfOf(flow), 'traits.tos': 'true', 'traits.age': '42' };
    const res = await submitForm(t, 'registration', flow.id, jar, fields);
    assert.equal(res.status, 303, res.body);
    assert.equal(res.headers.location, 'http://localhost:4455/');
    assert.ok(setCookies(res.headers).some((c) => c.name === 'ory_kratos_session'));
    assert.notEqual(jar.get(CSRF_NAME), csrfBefore);
    const me = (await whoami(t, { cookie: jar.header() })).json();
    assert.equal(me.identity.traits.tos, true);
    assert.equal(me.identity.traits.age, 42);

    const jar2 = new CookieJar();
    const f2 = await browserFlow(t, 'registration', jar2);
    const r2 = await post(t, `/self-service/registration?flow=${f2.id}`, JSON.stringify({ ...valid(), csrf_token: csrfOf(f2) }), {
      'content-type': 'application/json',
      cookie: jar2.header(),
    });
    assert.equal(r2.status, 200, r2.body);
  });

  test('63: a duplicate identifier (any case) gives 4000007', async () => {
    const email = uniqueEmail();
    const first = await apiFlow(t, 'registration');
    assert.equal((await submitAPI(t, 'registration', first.id, valid(email))).status, 200);
    for (const variant of [email, email.toUpperCase()]) {
      const flow = await apiFlow(t, 'registration');
      const res = await submitAPI(t, 'registration', flow.id, valid(variant));
      assert.equal(res.status, 400, variant);
      assert.deepEqual(res.json().ui.messages, [{ id: 4000007, text: 'An account with the same identifier (email, phone, username, ...) exists already.', type: 'error' }]);
      assert.equal(nodeOf(res.json(), 'traits.email').attributes.value, variant);
    }
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'registration', jar);
    const b = await submitForm(t, 'registration', flow.id, jar, { ...flat(email), csrf_token: csrfOf(flow) });
    assert.equal(b.status, 302);
    assert.equal(b.headers.location, `http://localhost:4455/registration?flow=${flow.id}`);
  });

  test('64/66/80: validation messages on the trait and password nodes, values written back, reset between attempts', async () => {
    const flow = await apiFlow(t, 'registration');
    const first = (await submitAPI(t, 'registration', flow.id, { method: 'password', traits: { website: 'http://a' } })).json();
    assert.deepEqual(nodeOf(first, 'traits.email').messages, [{ id: 4000002, text: 'Property email is missing.', type: 'error', context: { property: 'email' } }]);
    assert.deepEqual(nodeOf(first, 'password').messages, [{ id: 4000002, text: 'Property password is missing.', type: 'error', context: { property: 'password' } }]);
    assert.deepEqual(nodeOf(first, 'traits.website').messages, [
      { id: 4000003, text: 'length must be >= 10, but got 8', type: 'error', context: { actual_length: 8, min_length: 10 } },
    ]);
    assert.equal(nodeOf(first, 'traits.website').attributes.value, 'http://a');
    assert.equal(first.ui.method, 'POST');
    const second = (await submitAPI(t, 'registration', flow.id, { method: 'password', password: 'short12', traits: { email: uniqueEmail(), website: 'https://www.ory.sh', age: 600 } })).json();
    assert.deepEqual(nodeOf(second, 'traits.email').messages, []);
    assert.deepEqual(nodeOf(second, 'traits.website').messages, []);
    assert.deepEqual(nodeOf(second, 'traits.age').messages, [{ id: 4000020, text: 'must be <= 300 but found 600', type: 'error', context: { actual: 600, maximum: 300 } }]);
    assert.equal(nodeOf(second, 'traits.age').attributes.value, 600);
    assert.equal(nodeOf(second, 'password').attributes.value, undefined);
    const third = (await submitAPI(t, 'registration', flow.id, { method: 'password', password: 'short12', traits: { email: uniqueEmail(), website: 'https://www.ory.sh' } })).json();
    assert.deepEqual(nodeOf(third, 'password').messages, [
      { id: 4000032, text: 'The password must be at least 8 characters long, but got 7.', type: 'error', context: { actual_length: 7, min_length: 8 } },
    ]);
    assert.equal(nodeOf(third, 'method').attributes.value, 'password');
    const bad = (await submitAPI(t, 'registration', flow.id, { method: 'password', password: PASSWORD, traits: { email: 'not-an-email', website: 'https://www.ory.sh' } })).json();
    assert.deepEqual(nodeOf(bad, 'traits.email').messages, [{ id: 4000040, text: 'Enter a valid email address', type: 'error', context: { value: 'not-an-email' } }]);
    const type = (await submitAPI(t, 'registration', flow.id, { method: 'password', password: PASSWORD, traits: { email: uniqueEmail(), website: 'https://www.ory.sh', age: 'old' } })).json();
    assert.deepEqual(nodeOf(type, 'traits.age').messages[0].id, 4000026);
  });

  test('77/80: password policy: bytes, similarity to the identifier', async () => {
    const submit = async (password: string, email = uniqueEmail()) => {
      const flow = await apiFlow(t, 'registration');
      return (await submitAPI(t, 'registration', flow.id, { method: 'password', password, traits: { email, website: 'https://www.ory.sh' } })).json();
    };
    for (const pw of ['12', '1234', '123456', 'l3f9to']) assert.equal(nodeOf(await submit(pw), 'password').messages[0].id, 4000032, pw);
    const bytes = nodeOf(await submit('ééé'), 'password').messages[0];
    assert.equal(bytes.id, 4000032);
    assert.equal(bytes.context.actual_length, 6);
    const similar = nodeOf(await submit('hello@example.com12345', 'hello@example.com'), 'password').messages;
    assert.deepEqual(similar, [{ id: 4000031, text: 'The password can not be used because it is too similar to the identifier.', type: 'error' }]);
    for (const [id, pw] of [['hello@example.com', 'HELLO@EXAMPLE.COM'], ['hello@example.com', 'h3ll0@example']]) {
      assert.equal(nodeOf(await submit(pw, id), 'password').messages[0]?.id, 4000031, pw);
    }
    const ok = await submit('12345678');
    assert.ok(ok.session_token, 'no breached-password check: accepted offline');
  });

  test('58-like 62/70: with a session a submit is refused; 71/72 malformed bodies and missing method', async () => {
    const { token, cookie } = await seedLogin(t, { password: PASSWORD });
    const flow = await apiFlow(t, 'registration');
    const api = await submitAPI(t, 'registration', flow.id, valid(), { 'x-session-token': token });
    assert.equal(api.status, 400);
    assert.deepEqual(api.json(), { error: ALREADY });
    assert.equal(api.headers['set-cookie'], undefined);
    const b = await submitForm(t, 'registration', flow.id, CookieJar.fromHeader(cookie), flat());
    assert.equal(b.status, 302);
    assert.equal(b.headers.location, 'http://localhost:4455/');

    const malformed = await submitAPI(t, 'registration', flow.id, '14=)=!(%)$/ZP()GHIÖ');
    assert.equal(malformed.status, 400);
    assert.match(malformed.body, /Expected JSON sent in request body to be an object but got: Number/);
    const jar = new CookieJar();
    const bf = await browserFlow(t, 'registration', jar);
    const br = await post(t, `/self-service/registration?flow=${bf.id}`, '14=)=!(%)$/ZP()GHIÖ', { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() });
    assert.equal(br.status, 302);
    const after = (await get(t, `/self-service/registration/flows?id=${bf.id}`, { cookie: jar.header() })).json();
    assert.match(after.ui.messages[0].text, /invalid URL escape/);
    assert.equal(nodeOf(after, 'traits.email').attributes.type, 'email');
    const noMethod = await submitAPI(t, 'registration', flow.id, '{}}');
    assert.deepEqual(noMethod.json().ui.messages, [{ id: 4010003, text: 'Could not find a strategy to sign you up with. Did you fill out the form correctly?', type: 'error' }]);
    await submitForm(t, 'registration', bf.id, jar, { foo: 'bar' });
    const formNoMethod = (await get(t, `/self-service/registration/flows?id=${bf.id}`, { cookie: jar.header() })).json();
    assert.equal(formNoMethod.ui.messages[0].id, 4010003);
  });

  test('73/74/76: unknown, expired and CSRF-less flows', async () => {
    const id = '5d0c1d5e-2222-4c8e-8e8a-6f3f9b0a7f11';
    assert.equal((await submitAPI(t, 'registration', id, valid())).status, 404);
    assert.equal((await followError(t, await submitForm(t, 'registration', id, new CookieJar(), flat()))).code, 404);
    assert.equal((await get(t, `/self-service/registration/flows?id=${id}`)).status, 404);

    const api = await apiFlow(t, 'registration');
    await expire(t, 'registration', api.id);
    const gone = await get(t, `/self-service/registration/flows?id=${api.id}`);
    assert.equal(gone.status, 410);
    assert.equal(gone.json().error.reason, 'The registration flow has expired. Call the registration flow init API endpoint to initialize a new registration flow.');
    const res = await submitAPI(t, 'registration', api.id, valid());
    assert.equal(res.status, 410);
    assert.notEqual(res.json().use_flow_id, '00000000-0000-0000-0000-000000000000');
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'registration', jar, `?return_to=${encodeURIComponent('https://www.example.org/')}`);
    await expire(t, 'registration', flow.id);
    const bGone = (await get(t, `/self-service/registration/flows?id=${flow.id}`, { cookie: jar.header() })).json().error;
    assert.equal(bGone.details.redirect_to, 'http://localhost:4433/self-service/registration/browser?return_to=https%3A%2F%2Fwww.example.org%2F');
    const b = await submitForm(t, 'registration', flow.id, jar, { ...flat(), csrf_token: csrfOf(flow) });
    assert.equal(b.status, 303);
    const next = (await get(t, `/self-service/registration/flows?id=${new URL(b.headers.location).searchParams.get('flow')}`, { cookie: jar.header() })).json();
    assert.match(next.ui.messages[0].text, /^The registration flow expired 0\.0\d minutes ago, please try again\.$/);
    assert.equal(next.ui.messages[0].id, 4040001);
    const done = await submitForm(t, 'registration', next.id, jar, { ...flat(), csrf_token: csrfOf(next) });
    assert.equal(done.headers.location, 'https://www.example.org/');

    const fresh = await browserFlow(t, 'registration', new CookieJar());
    assert.equal((await get(t, `/self-service/registration/flows?id=${fresh.id}`)).status, 403);
  });

  test('75: CSRF: browser error UI, SPA 403, native without token ok, native with Cookie/Origin 400', async () => {
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'registration', jar);
    const stored = await followError(t, await submitForm(t, 'registration', flow.id, jar, { ...flat(), csrf_token: 'invalid' }));
    assert.equal(stored.id, 'security_csrf_violation');
    assert.match(stored.details.hint, /regular browser/);
    const spaJar = new CookieJar();
    const spa = await spaFlow(t, 'registration', spaJar);
    const s = await submitSPA(t, 'registration', spa.id, spaJar, { ...valid(), csrf_token: 'invalid' });
    assert.equal(s.status, 403);
    assert.match(s.json().error.details.hint, /AJAX/);
    const api = await apiFlow(t, 'registration');
    const cookie = await submitAPI(t, 'registration', api.id, valid(), { cookie: 'name=bar' });
    assert.equal(cookie.status, 400);
    assert.match(cookie.json().ui.messages[0].text, /included the "Cookie" key/);
    const origin = await submitAPI(t, 'registration', api.id, valid(), { origin: 'https://evil.example' });
    assert.match(origin.json().ui.messages[0].text, /included the "Origin" key/);
    const ok = await submitAPI(t, 'registration', api.id, valid());
    assert.ok(ok.json().identity.id);
  });
});

forEachBackend('registration without the session hook, and disabled', (backend) => {
  let t: TestApp;
  let off: TestApp;
  before(async () => {
    t = await startApp({ backend, config: { selfservice: { flows: { registration: { after: { password: { hooks: [] } } } } } } });
    off = await startApp({ backend, config: { selfservice: { flows: { registration: { enabled: false } } } } });
  });
  after(async () => {
    await t.close();
    await off.close();
  });

  test('62: no hook: identity only, no cookie, no token', async () => {
    const api = await apiFlow(t, 'registration');
    const res = await submitAPI(t, 'registration', api.id, valid());
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(Object.keys(res.json()), ['identity', 'continue_with']);
    assert.equal(res.json().continue_with, null);
    const jar = new CookieJar();
    const spa = await spaFlow(t, 'registration', jar);
    const s = await submitSPA(t, 'registration', spa.id, jar, { ...valid(), csrf_token: csrfOf(spa) });
    assert.deepEqual(s.json().continue_with, [{ action: 'redirect_browser_to', redirect_browser_to: 'http://localhost:4455/' }]);
    assert.equal(jar.get('ory_kratos_session'), undefined);
    const bj = new CookieJar();
    const bf = await browserFlow(t, 'registration', bj);
    const b = await submitForm(t, 'registration', bf.id, bj, { ...flat(), csrf_token: csrfOf(bf) });
    assert.equal(b.status, 303);
    assert.ok(!setCookies(b.headers).some((c) => c.name === 'ory_kratos_session'));
  });

  test('58: registration disabled', async () => {
    const expected = { id: 'self_service_flow_disabled', code: 400, status: 'Bad Request', reason: 'Registration is not allowed because it was disabled.', message: 'registration flow disabled' };
    const api = await get(off, '/self-service/registration/api');
    assert.equal(api.status, 400);
    assert.deepEqual(api.json(), { error: expected });
    assert.deepEqual(await followError(off, await get(off, '/self-service/registration/browser')), expected);
    const id = '5d0c1d5e-3333-4c8e-8e8a-6f3f9b0a7f11';
    assert.deepEqual(await followError(off, await get(off, `/self-service/registration/flows?id=${id}`)), expected);
    assert.equal((await get(off, `/self-service/registration/flows?id=${id}`, { accept: 'application/json' })).status, 400);
  });
});

const NO_ID_SCHEMA = Buffer.from(
  JSON.stringify({ type: 'object', properties: { traits: { type: 'object', properties: { name: { type: 'string', minLength: 2 } }, required: ['name'] } } }),
).toString('base64');

forEachBackend('registration with a schema without identifiers', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend, config: { identity: { default_schema_id: 'noid', schemas: [{ id: 'noid', url: `base64://${NO_ID_SCHEMA}` }] } } });
  });
  after(async () => t.close());

  test('68: 4000009 and the login label falls back to "ID"', async () => {
    const flow = await apiFlow(t, 'registration');
    const res = await submitAPI(t, 'registration', flow.id, { method: 'password', password: PASSWORD, traits: { name: 'Ann' } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json().ui.messages, [
      { id: 4000009, text: 'Could not find any login identifiers. Did you forget to set them? This could also be caused by a server misconfiguration.', type: 'error' },
    ]);
    const login = await apiFlow(t, 'login');
    assert.deepEqual(nodeOf(login, 'identifier').meta.label, { id: 1070004, text: 'ID', type: 'info' });
    assert.deepEqual(nodeOf(flow, 'traits.name').meta, {});
  });
});
