import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { CookieJar, setCookies } from '../helpers/jar.js';
import { seedLogin } from '../helpers/seed.js';
import { CSRF_NAME, CSRF_REASON, browserFlow, csrfOf, get, post, spaFlow } from '../selfservice/login/helpers.js';

const DOCS = 'https://www.ory.com/docs/troubleshooting/csrf';
const HINT_SERVER =
  "We detected a regular browser or server-side call. To debug browser calls check your Browser's Network Tab to see what cookies are included or excluded. If you are calling from a server ensure that the appropriate cookies are being forwarded and that the SDK method is called correctly.";
const HINT_AJAX =
  "We detected an AJAX call, please ensure that CORS is enabled and configured correctly, and that your AJAX code sends cookies and has credentials enabled. For further debugging, check your Browser's Network Tab to see what cookies are included or excluded.";
const NOT_SENT = 'The anti-CSRF cookie was found but the CSRF token was not included in the HTTP request body (csrf_token) nor in the HTTP Header (X-CSRF-Token).';
const MISMATCH = 'The HTTP Cookie Header was set and a CSRF token was sent but they do not match. We recommend deleting all cookies for this domain and retrying the flow.';

const violation = (details: Record<string, string>) => ({
  error: {
    id: 'security_csrf_violation',
    code: 403,
    status: 'Forbidden',
    reason: CSRF_REASON,
    details: { docs: DOCS, ...details },
    message: 'the request was rejected to protect you from Cross-Site-Request-Forgery',
  },
});

forEachBackend('CSRF protection', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(async () => t.close());

  test('the cookie is named after the public base URL and set once on non-ignored paths', async () => {
    assert.equal(t.app.registry.csrf.cookieName, CSRF_NAME);
    const first = await get(t, '/self-service/errors?id=stub:500');
    const c = setCookies(first.headers);
    assert.equal(c.length, 1);
    assert.equal(c[0].name, CSRF_NAME);
    assert.equal(Buffer.from(c[0].value, 'base64').length, 32);
    assert.equal(c[0].raw, `${CSRF_NAME}=${c[0].value}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax`);
    const again = await get(t, '/self-service/errors?id=stub:500', { cookie: `${CSRF_NAME}=${c[0].value}` });
    assert.equal(again.headers['set-cookie'], undefined);
    const garbage = await get(t, '/self-service/errors?id=stub:500', { cookie: `${CSRF_NAME}=not-32-bytes` });
    assert.equal(setCookies(garbage.headers).length, 1);
  });

  test('ignored paths get no cookie; every response varies on Cookie', async () => {
    for (const path of ['/self-service/login/api', '/self-service/registration/api', '/sessions/whoami', '/health/alive', '/schemas', '/version', '/ui/login', '/identities']) {
      const res = await get(t, path);
      assert.equal(res.headers['set-cookie'], undefined, path);
      assert.match(String(res.headers.vary), /Cookie/, path);
    }
    const unknown = await get(t, '/no-such-route');
    assert.equal(unknown.status, 404);
    assert.equal(setCookies(unknown.headers).length, 1);
  });

  test('unsafe methods on protected paths need the token: each Kratos reject reason', async () => {
    const url = '/self-service/errors?id=x';
    const none = await post(t, url, 'a=b', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(none.status, 403);
    assert.equal(none.headers['ory-error-id'], 'security_csrf_violation');
    assert.deepEqual(none.json(), violation({ hint: HINT_SERVER, reject_reason: 'The HTTP Cookie Header is empty or not set.' }));
    const other = await post(t, url, 'a=b', { 'content-type': 'application/x-www-form-urlencoded', cookie: 'foo=bar', 'sec-fetch-mode': 'cors' });
    assert.deepEqual(other.json(), violation({ hint: HINT_AJAX, reject_reason: 'The HTTP Cookie Header was set but did not include the anti-CSRF cookie.' }));
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'login', jar);
    const notSent = await post(t, url, 'a=b', { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() });
    assert.deepEqual(notSent.json(), violation({ hint: NOT_SENT }));
    const wrong = await post(t, url, 'csrf_token=abc', { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() });
    assert.deepEqual(wrong.json(), violation({ hint: HINT_SERVER, reject_reason: MISMATCH }));
    const json = await post(t, url, '{}', { 'content-type': 'application/json', cookie: jar.header() });
    assert.deepEqual(json.json(), violation({ hint: HINT_SERVER, reject_reason: MISMATCH }));

    const masked = csrfOf(flow);
    const viaHeader = await post(t, url, '{}', { 'content-type': 'application/json', cookie: jar.header(), 'x-csrf-token': masked });
    assert.equal(viaHeader.status, 405, 'passes the CSRF check and reaches the router');
    const viaForm = await post(t, url, `csrf_token=${encodeURIComponent(masked)}`, { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() });
    assert.equal(viaForm.status, 405);
    const raw = await post(t, url, `csrf_token=${encodeURIComponent(jar.get(CSRF_NAME) as string)}`, { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() });
    assert.equal(raw.status, 405);
    const otherJar = new CookieJar();
    await browserFlow(t, 'login', otherJar);
    const crossed = await post(t, url, '{}', { 'content-type': 'application/json', cookie: otherJar.header(), 'x-csrf-token': masked });
    assert.equal(crossed.status, 403);
    const ignored = await post(t, '/self-service/login/api', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(ignored.status, 405);
  });

  test('masked tokens are fresh per response and all verify against the one cookie', async () => {
    const jar = new CookieJar();
    const a = await spaFlow(t, 'login', jar);
    const b = await spaFlow(t, 'login', jar);
    assert.notEqual(csrfOf(a), csrfOf(b));
    const real = Buffer.from(jar.get(CSRF_NAME) as string, 'base64');
    for (const m of [csrfOf(a), csrfOf(b)]) {
      const bytes = Buffer.from(m, 'base64');
      assert.equal(bytes.length, 64);
      const unmasked = Buffer.alloc(32);
      for (let i = 0; i < 32; i++) unmasked[i] = bytes[i] ^ bytes[i + 32];
      assert.deepEqual(unmasked, real);
    }
  });

  test('a logout without a CSRF cookie sends exactly one CSRF Set-Cookie', async () => {
    const { cookie } = await seedLogin(t, { password: 'a-password-123' });
    const flow = await get(t, '/self-service/logout/browser', { cookie, accept: 'application/json' });
    assert.equal(flow.status, 200, flow.body);
    const url = new URL(flow.json().logout_url);
    const res = await get(t, `${url.pathname}${url.search}`, { cookie });
    assert.equal(res.status, 303, res.body);
    assert.equal(setCookies(res.headers).filter((c) => c.name === CSRF_NAME).length, 1);
  });
});

forEachBackend('CSRF cookie attributes from config', (backend) => {
  let secure: TestApp;
  let plain: TestApp;
  before(async () => {
    secure = await startApp({ backend, config: { cookies: { domain: 'example.com', path: '/', same_site: 'Strict', secure: true } } });
    plain = await startApp({ backend, config: { cookies: { same_site: 'None', secure: false } } });
  });
  after(async () => {
    await secure.close();
    await plain.close();
  });

  test('Domain, Secure and SameSite follow cookies.*; SameSite is forced to Lax without Secure', async () => {
    const s = setCookies((await get(secure, '/self-service/login/browser')).headers)[0];
    assert.equal(s.raw, `${CSRF_NAME}=${s.value}; Path=/; Domain=example.com; Max-Age=31536000; HttpOnly; Secure; SameSite=Strict`);
    const p = setCookies((await get(plain, '/self-service/login/browser')).headers)[0];
    assert.equal(p.raw, `${CSRF_NAME}=${p.value}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax`);
  });
});

test('the cookie name hashes the base URL string exactly (a trailing slash matters)', async () => {
  const { Config } = await import('../../src/config/config.js');
  const { CsrfManager } = await import('../../src/http/csrf.js');
  const { referenceConfig } = await import('../helpers/harness.js');
  const name = (base: string) => new CsrfManager(Config.load({ values: { ...referenceConfig(base), dsn: 'memory' }, env: {} })).cookieName;
  assert.equal(name('http://localhost:4433/'), CSRF_NAME);
  assert.equal(name('http://localhost:4455/'), 'csrf_token_9eaa18484d26154fc69bb6b144100bec9a99a10709387620e8e4f0b7395e97ec');
});
