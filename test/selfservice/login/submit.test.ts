import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CookieJar, setCookies } from '../../helpers/jar.js';
import { seedIdentity, seedLogin } from '../../helpers/seed.js';
import {
  CSRF_NAME, INVALID_CREDENTIALS, PASSWORD, apiFlow, browserFlow, csrfOf, expire, followError, get, nodeOf, post, spaFlow, submitAPI, submitForm, submitSPA, whoami,
} from './helpers.js';

const MISMATCH = 'The HTTP Cookie Header was set and a CSRF token was sent but they do not match. We recommend deleting all cookies for this domain and retrying the flow.';
const ALREADY = 'A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?';

forEachBackend('login flow submit', (backend) => {
  let t: TestApp;
  let email: string;
  before(async () => {
    t = await startApp({ backend });
    email = 'login-user@example.org';
    await seedIdentity(t, { email, password: PASSWORD });
  });
  after(async () => t.close());

  const creds = (extra: Record<string, string> = {}) => ({ identifier: email, password: PASSWORD, method: 'password', ...extra });

  test('21: browser form login: 303 to the return URL, session cookie, rotated CSRF cookie, whoami by cookie only', async () => {
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'login', jar);
    const before = jar.get(CSRF_NAME);
    const res = await submitForm(t, 'login', flow.id, jar, creds({ csrf_token: csrfOf(flow) }));
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, 'http://localhost:4455/');
    const cookies = setCookies(res.headers);
    assert.deepEqual(cookies.map((c) => c.name).sort(), [CSRF_NAME, 'ory_kratos_session'].sort());
    assert.notEqual(jar.get(CSRF_NAME), before);
    const me = await whoami(t, { cookie: jar.header() });
    assert.equal(me.status, 200);
    assert.equal(me.json().identity.traits.email, email);
    assert.equal((await whoami(t, { 'x-session-token': jar.get('ory_kratos_session') as string })).status, 401);
    assert.equal((await whoami(t, {})).status, 401);
  });

  test('22: SPA login: 200 session with redirect_browser_to, cookie, no token', async () => {
    const jar = new CookieJar();
    const flow = await spaFlow(t, 'login', jar);
    const res = await submitSPA(t, 'login', flow.id, jar, creds({ csrf_token: csrfOf(flow) }));
    assert.equal(res.status, 200, res.body);
    const body = res.json();
    assert.deepEqual(Object.keys(body), ['session', 'continue_with']);
    assert.deepEqual(body.continue_with, [{ action: 'redirect_browser_to', redirect_browser_to: 'http://localhost:4455/' }]);
    assert.equal(body.session.identity.traits.email, email);
    assert.equal(body.session.token, undefined);
    assert.ok(jar.get('ory_kratos_session'));
    assert.equal((await whoami(t, { cookie: jar.header() })).json().id, body.session.id);
  });

  test('23: native login: 200 with session_token, no cookie; whoami by token and bearer only', async () => {
    const flow = await apiFlow(t, 'login');
    const res = await submitAPI(t, 'login', flow.id, creds());
    assert.equal(res.status, 200, res.body);
    assert.equal(res.headers['set-cookie'], undefined);
    const body = res.json();
    assert.deepEqual(Object.keys(body), ['session_token', 'session', 'continue_with']);
    assert.match(body.session_token, /^ory_st_[A-Za-z0-9]{32}$/);
    assert.equal(body.continue_with, null);
    assert.equal(body.session.identity.traits.email, email);
    assert.equal(body.session.authenticator_assurance_level, 'aal1');
    assert.equal(body.session.authentication_methods[0].method, 'password');
    assert.equal((await whoami(t, { 'x-session-token': body.session_token })).json().id, body.session.id);
    assert.equal((await whoami(t, { authorization: `Bearer ${body.session_token}` })).status, 200);
    assert.equal((await whoami(t, { cookie: `ory_kratos_session=${body.session_token}` })).status, 401);
  });

  test('24/25: wrong password and unknown identifier give 4000006 (browser back to the form, API/SPA 400)', async () => {
    const expected = [{ id: 4000006, text: INVALID_CREDENTIALS, type: 'error' }];
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'login', jar);
    const res = await submitForm(t, 'login', flow.id, jar, creds({ password: 'wrong-password', csrf_token: csrfOf(flow) }));
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, `http://localhost:4455/login?flow=${flow.id}`);
    const after = (await get(t, `/self-service/login/flows?id=${flow.id}`, { cookie: jar.header() })).json();
    assert.deepEqual(after.ui.messages, expected);
    assert.equal(nodeOf(after, 'identifier').attributes.value, email);
    assert.equal(nodeOf(after, 'password').attributes.value, undefined);
    assert.notEqual(csrfOf(after), csrfOf(flow));
    for (const identifier of [email, 'nobody@example.org']) {
      const api = await apiFlow(t, 'login');
      const r = await submitAPI(t, 'login', api.id, creds({ identifier, password: 'wrong-password' }));
      assert.equal(r.status, 400);
      const body = r.json();
      assert.equal(body.id, api.id);
      assert.deepEqual(body.ui.messages, expected);
      assert.equal(nodeOf(body, 'identifier').attributes.value, identifier);
      assert.equal(body.ui.nodes.length, 4);
    }
    const spaJar = new CookieJar();
    const spa = await spaFlow(t, 'login', spaJar);
    const s = await submitSPA(t, 'login', spa.id, spaJar, creds({ password: 'nope-nope', csrf_token: csrfOf(spa) }));
    assert.equal(s.status, 400);
    assert.deepEqual(s.json().ui.messages, expected);
  });

  test('25: an unknown identifier costs as much as a wrong password: one full-cost argon2id either way', async () => {
    // Tests never time requests; instead they watch the real hasher's work. A known identifier with a wrong
    // password runs one verification against the stored hash; an unknown one must run one hash at the
    // configured cost (the same argon2id parameters), so the two answers take the same work.
    const hasher = t.app.registry.hasher;
    const work: string[] = [];
    const hash = hasher.hash.bind(hasher);
    const verify = hasher.verify.bind(hasher);
    hasher.hash = async (pw: string) => {
      const out = await hash(pw);
      work.push(`hash ${out.split('$').slice(1, 4).join('$')}`);
      return out;
    };
    hasher.verify = async (pw: string, stored: string) => {
      work.push(`verify ${stored.split('$').slice(1, 4).join('$')}`);
      return verify(pw, stored);
    };
    try {
      const known25 = `timing-25-${Date.now()}@example.org`;
      await seedIdentity(t, { email: known25, password: PASSWORD });
      const attempt = async (identifier: string) => {
        work.length = 0;
        const api = await apiFlow(t, 'login');
        const res = await submitAPI(t, 'login', api.id, creds({ identifier, password: 'wrong-password' }));
        assert.equal(res.status, 400);
        assert.deepEqual(res.json().ui.messages.map((m: { id: number }) => m.id), [4000006]);
        return [...work];
      };
      const known = await attempt(known25);
      const unknown = await attempt('ghost-25@example.org');
      const a = t.config.argon2;
      const params = `argon2id$v=19$m=${a.memoryKiB},t=${a.iterations},p=${a.parallelism}`;
      assert.deepEqual(known, [`verify ${params}`]);
      assert.deepEqual(unknown, [`hash ${params}`]);
    } finally {
      hasher.hash = hash;
      hasher.verify = verify;
    }
  });

  test('26/27/28: missing identifier and/or password are node messages; the flow is reset between attempts', async () => {
    const api = await apiFlow(t, 'login');
    const noId = (await submitAPI(t, 'login', api.id, { method: 'password', password: PASSWORD })).json();
    assert.deepEqual(nodeOf(noId, 'identifier').messages, [{ id: 4000002, text: 'Property identifier is missing.', type: 'error', context: { property: 'identifier' } }]);
    assert.equal(noId.ui.nodes.length, 4);
    assert.equal(noId.ui.messages, undefined);
    const noPw = (await submitAPI(t, 'login', api.id, { method: 'password', identifier: email })).json();
    assert.deepEqual(nodeOf(noPw, 'password').messages, [{ id: 4000002, text: 'Property password is missing.', type: 'error', context: { property: 'password' } }]);
    assert.deepEqual(nodeOf(noPw, 'identifier').messages, []);
    assert.equal(nodeOf(noPw, 'identifier').attributes.value, email);
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'login', jar);
    const res = await submitForm(t, 'login', flow.id, jar, { identifier: '', password: '', method: 'password', csrf_token: csrfOf(flow) });
    assert.equal(res.status, 303);
    const both = (await get(t, `/self-service/login/flows?id=${flow.id}`, { cookie: jar.header() })).json();
    assert.equal(nodeOf(both, 'identifier').messages[0].text, 'Property identifier is missing.');
    assert.equal(nodeOf(both, 'password').messages[0].text, 'Property password is missing.');
    assert.equal(both.ui.nodes.length, 4);
  });

  test('29/30/31: identifier case, surrounding whitespace and the legacy field name', async () => {
    for (const body of [creds({ identifier: email.toUpperCase() }), creds({ identifier: `  ${email}  ` }), { password_identifier: email, password: PASSWORD, method: 'password' }]) {
      const api = await apiFlow(t, 'login');
      const res = await submitAPI(t, 'login', api.id, body);
      assert.equal(res.status, 200, res.body);
      assert.equal(res.json().session.identity.traits.email, email);
    }
  });

  test('32/33: a wrong CSRF token: browser to the error UI, SPA 403 with the AJAX hint; nothing issued', async () => {
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'login', jar);
    const res = await submitForm(t, 'login', flow.id, jar, creds({ csrf_token: 'invalid_token' }));
    assert.equal(setCookies(res.headers).length, 0);
    const stored = await followError(t, res);
    assert.equal(stored.id, 'security_csrf_violation');
    assert.equal(stored.details.reject_reason, MISMATCH);
    assert.match(stored.details.hint, /regular browser or server-side call/);
    const missing = await followError(t, await submitForm(t, 'login', flow.id, jar, creds()));
    assert.match(missing.details.hint, /was not included in the HTTP request body/);
    const spaJar = new CookieJar();
    const spa = await spaFlow(t, 'login', spaJar);
    const s = await submitSPA(t, 'login', spa.id, spaJar, creds({ csrf_token: 'invalid_token' }));
    assert.equal(s.status, 403);
    assert.equal(s.json().error.details.reject_reason, MISMATCH);
    assert.match(s.json().error.details.hint, /We detected an AJAX call/);
    const stolen = await submitSPA(t, 'login', spa.id, new CookieJar(), creds({ csrf_token: csrfOf(spa) }));
    assert.equal(stolen.status, 403);
    assert.equal(stolen.json().error.details.reject_reason, 'The HTTP Cookie Header is empty or not set.');
  });

  test('34/35/36: native flows need no token but refuse cookies and Origin', async () => {
    const api = await apiFlow(t, 'login');
    const garbage = await submitAPI(t, 'login', api.id, creds({ password: 'wrong-one', csrf_token: 'garbage' }));
    assert.equal(garbage.status, 400);
    assert.match(garbage.body, /provided credentials are invalid/);
    const cookie = await submitAPI(t, 'login', api.id, creds(), { cookie: 'name=bar' });
    assert.equal(cookie.status, 400);
    assert.match(cookie.body, /The HTTP Request Header included the \\"Cookie\\" key/);
    assert.equal(cookie.json().ui.messages[0].id, 4000001);
    assert.equal(cookie.json().ui.messages[0].context.reason, cookie.json().ui.messages[0].text);
    const origin = await submitAPI(t, 'login', api.id, creds(), { origin: 'www.bar.com' });
    assert.match(origin.body, /The HTTP Request Header included the \\"Origin\\" key/);
    const cf = await submitAPI(t, 'login', api.id, creds(), { cookie: '__cf_bm=1; _cfuvid=2; cf_clearance=3' });
    assert.equal(cf.status, 200, cf.body);
  });

  test('37/38: malformed bodies become 4000001 messages', async () => {
    const api = await apiFlow(t, 'login');
    const res = await submitAPI(t, 'login', api.id, '14=)=!(%)$/ZP()GHIÖ');
    assert.equal(res.status, 400);
    assert.equal(res.json().id, api.id);
    assert.match(res.body, /Expected JSON sent in request body to be an object but got: Number/);
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'login', jar);
    const b = await post(t, `/self-service/login?flow=${flow.id}`, '14=)=!(%)$/ZP()GHIÖ', { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() });
    assert.equal(b.headers.location, `http://localhost:4455/login?flow=${flow.id}`);
    const after = (await get(t, `/self-service/login/flows?id=${flow.id}`, { cookie: jar.header() })).json();
    assert.match(after.ui.messages[0].text, /invalid URL escape/);
  });

  test('39: an unknown flow id: 404 JSON for APIs, error UI for browsers', async () => {
    const id = '2f7a3c1e-9b8d-4e6f-a1b2-c3d4e5f60718';
    const api = await submitAPI(t, 'login', id, creds());
    assert.equal(api.status, 404);
    assert.deepEqual(api.json().error, { code: 404, status: 'Not Found', message: 'Unable to locate the resource' });
    assert.equal(api.headers['set-cookie'], undefined);
    const stored = await followError(t, await submitForm(t, 'login', id, new CookieJar(), creds()));
    assert.equal(stored.message, 'Unable to locate the resource');
    const missing = await submitAPI(t, 'login', 'nope', creds());
    assert.equal(missing.status, 400);
    assert.equal(missing.json().error.reason, 'The flow query parameter is missing or malformed.');
  });

  test('40/41/42/50: expired flows are replaced (API/SPA 410 with use_flow_id, browser redirected) and keep return_to', async () => {
    const api = await apiFlow(t, 'login');
    await expire(t, 'login', api.id);
    const res = await submitAPI(t, 'login', api.id, creds());
    assert.equal(res.status, 410);
    const body = res.json();
    assert.deepEqual(Object.keys(body), ['error', 'expired_at', 'since', 'use_flow_id']);
    assert.match(body.error.reason, /^The self-service flow expired 0\.0\d minutes ago, initialize a new one\.$/);
    assert.equal(body.error.id, 'self_service_flow_expired');
    assert.notEqual(body.use_flow_id, api.id);
    assert.ok(body.since > 0);
    const next = (await get(t, `/self-service/login/flows?id=${body.use_flow_id}`)).json();
    assert.equal(next.type, 'api');
    assert.equal(next.ui.messages[0].id, 4010001);
    assert.equal(next.request_url, api.request_url);

    const jar = new CookieJar();
    const flow = await browserFlow(t, 'login', jar, `?return_to=${encodeURIComponent('https://www.example.org/')}`);
    await expire(t, 'login', flow.id);
    const b = await submitForm(t, 'login', flow.id, jar, creds({ csrf_token: csrfOf(flow) }));
    assert.equal(b.status, 303);
    const newId = new URL(b.headers.location).searchParams.get('flow') as string;
    assert.notEqual(newId, flow.id);
    const replaced = (await get(t, `/self-service/login/flows?id=${newId}`, { cookie: jar.header() })).json();
    assert.match(replaced.ui.messages[0].text, /^The login flow expired 0\.0\d minutes ago, please try again\.$/);
    assert.deepEqual(Object.keys(replaced.ui.messages[0].context), ['expired_at', 'expired_at_unix']);
    assert.equal(replaced.request_url, flow.request_url);
    const done = await submitForm(t, 'login', newId, jar, creds({ csrf_token: csrfOf(replaced) }));
    assert.equal(done.headers.location, 'https://www.example.org/');

    const spaJar = new CookieJar();
    const spa = await spaFlow(t, 'login', spaJar);
    await expire(t, 'login', spa.id);
    const s = await submitSPA(t, 'login', spa.id, spaJar, creds({ csrf_token: csrfOf(spa) }));
    assert.equal(s.status, 410);
    assert.ok(s.json().use_flow_id);
  });

  test('43: an unknown method gives 4010002', async () => {
    const api = await apiFlow(t, 'login');
    const res = await submitAPI(t, 'login', api.id, creds({ method: 'not-exist' }));
    assert.equal(res.status, 400);
    assert.deepEqual(res.json().ui.messages, [{ id: 4010002, text: 'Could not find a strategy to log you in with. Did you fill out the form correctly?', type: 'error' }]);
  });

  test('44: an aal2 flow submitted without a session is refused', async () => {
    const { token } = await seedLogin(t, { password: 'another-password-1' });
    const api = await apiFlow(t, 'login', '?aal=aal2', { 'x-session-token': token });
    const res = await submitAPI(t, 'login', api.id, creds());
    assert.equal(res.status, 401);
    assert.equal(res.json().error.reason, 'You can not requested a higher AAL (AAL2/AAL3) without an active session.');
  });

  test('45: submitting with an active session: flow message for APIs, default return URL for browsers', async () => {
    const api = await apiFlow(t, 'login');
    const { token, cookie } = await seedLogin(t, { password: 'another-password-1' });
    const res = await submitAPI(t, 'login', api.id, creds(), { 'x-session-token': token });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json().ui.messages, [{ id: 4000001, text: ALREADY, type: 'error', context: { reason: ALREADY } }]);
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'login', jar, `?return_to=${encodeURIComponent('https://www.example.org/')}`);
    const withSession = CookieJar.fromHeader(`${jar.header()}; ${cookie}`);
    const b = await submitForm(t, 'login', flow.id, withSession, creds({ csrf_token: csrfOf(flow) }));
    assert.equal(b.status, 303);
    assert.equal(b.headers.location, 'http://localhost:4455/');
  });

  test('46/47/48: refresh keeps the session id for the same identity, with a new cookie; another identity gets a new session', async () => {
    const jar = new CookieJar();
    const first = await browserFlow(t, 'login', jar);
    await submitForm(t, 'login', first.id, jar, creds({ csrf_token: csrfOf(first) }));
    const sessionId = (await whoami(t, { cookie: jar.header() })).json().id;
    const oldCookie = jar.get('ory_kratos_session');
    const refresh = await browserFlow(t, 'login', jar, '?refresh=true');
    assert.equal(refresh.refresh, true);
    assert.equal(nodeOf(refresh, 'identifier').attributes.value, email);
    const again = await submitForm(t, 'login', refresh.id, jar, { identifier: email, password: PASSWORD, method: 'password', csrf_token: csrfOf(refresh) });
    assert.equal(again.status, 303, again.body);
    assert.notEqual(jar.get('ory_kratos_session'), oldCookie);
    const me = (await whoami(t, { cookie: jar.header() })).json();
    assert.equal(me.id, sessionId);
    assert.equal(me.authentication_methods.length, 2);
    assert.equal((await whoami(t, { cookie: `ory_kratos_session=${oldCookie}` })).status, 401);

    const other = 'other-user@example.org';
    await seedIdentity(t, { email: other, password: PASSWORD });
    const { token } = await seedLogin(t, { password: PASSWORD });
    const api = await apiFlow(t, 'login', '?refresh=true', { 'x-session-token': token });
    const res = await submitAPI(t, 'login', api.id, { identifier: other, password: PASSWORD, method: 'password' }, { 'x-session-token': token });
    assert.equal(res.status, 200, res.body);
    assert.notEqual(res.json().session_token, token);
    assert.equal(res.json().session.identity.traits.email, other);
  });

  test('49: an inactive identity with the right password gets 4010011', async () => {
    await seedIdentity(t, { email: 'disabled@example.org', password: PASSWORD, state: 'inactive' });
    const api = await apiFlow(t, 'login');
    const res = await submitAPI(t, 'login', api.id, creds({ identifier: 'disabled@example.org' }));
    assert.equal(res.status, 400);
    assert.deepEqual(res.json().ui.messages, [{ id: 4010011, text: 'This account has been disabled. Please contact support for assistance.', type: 'error' }]);
  });

  test('a login always issues a new token (no fixation) and the previous one stays valid', async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const api = await apiFlow(t, 'login');
      tokens.add((await submitAPI(t, 'login', api.id, creds())).json().session_token);
    }
    assert.equal(tokens.size, 3);
  });
});

forEachBackend('login with the password method disabled', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend, config: { selfservice: { methods: { password: { enabled: false } } } } });
  });
  after(async () => t.close());

  test('the form has only the CSRF node and a password submit is 404', async () => {
    const api = await apiFlow(t, 'login');
    assert.deepEqual(api.ui.nodes.map((n: { attributes: { name: string } }) => n.attributes.name), ['csrf_token']);
    const res = await submitAPI(t, 'login', api.id, { method: 'password', identifier: 'a@b.c', password: 'whatever-pw' });
    assert.equal(res.status, 404);
    assert.equal(res.json().error.reason, 'This endpoint was disabled by system administrator. Please check your url or contact the system administrator to enable it.');
  });
});

forEachBackend('login with a multipart/form-data body (fetch + FormData)', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
    await seedIdentity(t, { email: 'multipart@example.org', password: PASSWORD });
  });
  after(async () => t.close());

  test('text parts are read like a urlencoded form; a broken body is a 4000001 message', async () => {
    const jar = new CookieJar();
    const flow = await spaFlow(t, 'login', jar);
    const boundary = '----porta1234';
    const parts = { identifier: 'multipart@example.org', password: PASSWORD, method: 'password', csrf_token: csrfOf(flow) };
    const body =
      Object.entries(parts).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') + `--${boundary}--\r\n`;
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}`, accept: 'application/json', cookie: jar.header() };
    const res = await post(t, `/self-service/login?flow=${flow.id}`, body, headers);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json().session.identity.traits.email, 'multipart@example.org');
    const broken = await post(t, `/self-service/login?flow=${flow.id}`, `--${boundary}\r\nno end`, { ...headers, cookie: jar.header() });
    assert.equal(broken.status, 400);
    assert.equal(broken.json().ui.messages[0].id, 4000001);
  });
});
