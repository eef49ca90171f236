import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { seedIdentity, seedLogin, seedSession } from '../../helpers/seed.js';
import { BROWSER, errorContainer, get, JSONREQ, LOGOUT_TOKEN, logoutFlow, SESSION_INACTIVE, UUID } from './helpers.js';

// kratos-logout-spec.md §5 group A (createBrowserLogoutFlow), raw HTTP.
forEachBackend('GET /self-service/logout/browser', (backend) => {
  let t: TestApp;
  let C: string;
  let ST: string;
  before(async () => {
    t = await startApp({ backend });
    const s = await seedLogin(t);
    C = s.cookie;
    ST = s.token;
  });
  after(() => t.close());

  const noStore = (res: { headers: Record<string, unknown> }) => {
    assert.match(String(res.headers['cache-control']), /\bno-store\b/);
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
  };
  const rtQuery = async (rt: string) => get(t, `/self-service/logout/browser?return_to=${encodeURIComponent(rt)}`, { cookie: C, ...JSONREQ });
  const returnToOf = (body: { logout_url: string }) => new URL(body.logout_url).searchParams.get('return_to');

  test('#1 #2 no credentials, JSON (Content-Type or Accept): 401 session_inactive, exact body', async () => {
    for (const h of [{ 'content-type': 'application/json' }, JSONREQ]) {
      const res = await get(t, '/self-service/logout/browser', h);
      assert.equal(res.statusCode, 401);
      assert.deepEqual(res.json(), { error: SESSION_INACTIVE });
      assert.equal(res.headers['ory-error-id'], 'session_inactive');
      assert.equal(res.headers['content-type'], 'application/json');
      noStore(res);
    }
  });

  test('#3 no credentials, browser: 303 to the error UI, container holds session_inactive', async () => {
    const res = await get(t, '/self-service/logout/browser', { accept: BROWSER });
    assert.equal(res.statusCode, 303);
    assert.match(String(res.headers.location), new RegExp(`^http://localhost:4455/error\\?id=${UUID}$`));
    noStore(res);
    assert.deepEqual(await errorContainer(t, String(res.headers.location)), SESSION_INACTIVE);
  });

  test('#4 cookie + JSON: 200, logout_url on the public base URL with token == logout_token, no return_to', async () => {
    const res = await get(t, '/self-service/logout/browser', { cookie: C, ...JSONREQ });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    noStore(res);
    const body = res.json();
    assert.deepEqual(Object.keys(body), ['logout_url', 'logout_token']);
    assert.match(body.logout_token, LOGOUT_TOKEN);
    const u = new URL(body.logout_url);
    assert.equal(u.origin, 'http://localhost:4433');
    assert.equal(u.pathname, '/self-service/logout');
    assert.equal(u.search, `?token=${body.logout_token}`);
  });

  test('#5 cookie + browser Accept: still 200 JSON (no redirect on success)', async () => {
    const res = await get(t, '/self-service/logout/browser', { cookie: C, accept: BROWSER });
    assert.equal(res.statusCode, 200);
    assert.match(res.json().logout_token, LOGOUT_TOKEN);
  });

  test('#6 the same session always gets the same logout_token; another session another one', async () => {
    const a = await logoutFlow(t, { cookie: C });
    const b = await logoutFlow(t, { cookie: C });
    assert.equal(a.logout_token, b.logout_token);
    const other = await seedLogin(t);
    assert.notEqual((await logoutFlow(t, { cookie: other.cookie })).logout_token, a.logout_token);
  });

  test('#7 #8 X-Session-Token and Bearer work; "Bearer  ST" (two spaces) is 401', async () => {
    const viaCookie = await logoutFlow(t, { cookie: C });
    assert.equal((await logoutFlow(t, { 'x-session-token': ST })).logout_token, viaCookie.logout_token);
    assert.equal((await logoutFlow(t, { authorization: `Bearer ${ST}` })).logout_token, viaCookie.logout_token);
    const res = await get(t, '/self-service/logout/browser', { authorization: `Bearer  ${ST}`, ...JSONREQ });
    assert.equal(res.statusCode, 401);
  });

  test('#9 an allowed return_to is carried, Go-encoded, keys sorted', async () => {
    const res = await rtQuery('https://www.ory.sh');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(new URL(body.logout_url).search, `?return_to=https%3A%2F%2Fwww.ory.sh&token=${body.logout_token}`);
    assert.ok(res.body.includes('\\u0026token='), 'Go JSON escapes & as \\u0026');
  });

  test('#10 a disallowed return_to, JSON: 400 self_service_flow_return_to_forbidden, exact body', async () => {
    const res = await rtQuery('https://www.ory.com');
    assert.equal(res.statusCode, 400);
    noStore(res);
    assert.deepEqual(res.json(), {
      error: {
        id: 'self_service_flow_return_to_forbidden',
        code: 400,
        status: 'Bad Request',
        reason: 'Requested return_to URL "https://www.ory.com" is not allowed.',
        message: 'The request was malformed or contained invalid parameters',
      },
    });
  });

  test('#11 a disallowed return_to, browser: 303 to the error UI with the same reason', async () => {
    const res = await get(t, '/self-service/logout/browser?return_to=https://www.ory.com', { cookie: C, accept: BROWSER });
    assert.equal(res.statusCode, 303);
    const c = await errorContainer(t, String(res.headers.location));
    assert.equal(c.reason, 'Requested return_to URL "https://www.ory.com" is not allowed.');
    assert.equal(c.id, 'self_service_flow_return_to_forbidden');
  });

  test('#12 an empty return_to counts as absent (the reference UI always sends one)', async () => {
    const res = await get(t, '/self-service/logout/browser?aal=&refresh=&return_to=', { cookie: C, ...JSONREQ });
    assert.equal(res.statusCode, 200);
    assert.equal(returnToOf(res.json()), null);
  });

  test('#13 a relative return_to takes the scheme and host of the logout default', async () => {
    assert.equal(returnToOf((await rtQuery('/dashboard')).json()), 'http://localhost:4455/dashboard');
  });

  test('#14 a scheme-relative return_to takes the default scheme (http) and is refused', async () => {
    assert.equal((await rtQuery('//www.ory.sh/kratos')).statusCode, 400);
  });

  test('#15 http:///kratos — Kratos: 200 with http://localhost:4455/kratos; Porta (WHATWG, host "kratos"): 400', async () => {
    const res = await rtQuery('http:///kratos');
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.reason, 'Requested return_to URL "http://kratos/" is not allowed.');
  });

  test('#16 wildcard *.example.com: subdomains yes, apex and suffix hosts no', async () => {
    assert.equal((await rtQuery('https://app.example.com/x')).statusCode, 200);
    assert.equal((await rtQuery('https://a.b.example.com/')).statusCode, 200);
    assert.equal((await rtQuery('https://example.com/')).statusCode, 400);
    assert.equal((await rtQuery('https://evilexample.com/')).statusCode, 400);
  });

  test('#17 the self-service URL is always allowed, the rest of the public API is not', async () => {
    assert.equal((await rtQuery('http://localhost:4433/self-service/login/browser')).statusCode, 200);
    assert.equal((await rtQuery('http://localhost:4433/sessions/whoami')).statusCode, 400);
    // Contract: segment boundary (Kratos allowed /self-service-anything).
    assert.equal((await rtQuery('http://localhost:4433/self-service-x')).statusCode, 400);
  });

  test('#18 port and scheme mismatches are refused', async () => {
    assert.equal((await rtQuery('http://localhost:4456/')).statusCode, 400);
    assert.equal((await rtQuery('http://www.ory.sh/')).statusCode, 400);
  });

  test('#19 an expired session is 401 session_inactive', async () => {
    const identity = await seedIdentity(t);
    const s = await seedSession(t, identity);
    await t.app.registry.persister.sessions.updateSession({ ...s.session, expiresAt: new Date(Date.now() - 1000) });
    const res = await get(t, '/self-service/logout/browser', { cookie: s.cookie, ...JSONREQ });
    assert.equal(res.statusCode, 401);
    assert.deepEqual(res.json(), { error: SESSION_INACTIVE });
  });

  test('a session whose identity is disabled can still get its logout URL (Kratos: ExpandNothing)', async () => {
    const s = await seedLogin(t, { state: 'inactive' });
    assert.match((await logoutFlow(t, { cookie: s.cookie })).logout_token, LOGOUT_TOKEN);
  });

  test('the logout_url ignores the request Host and X-Forwarded-* headers', async () => {
    const body = await logoutFlow(t, { cookie: C, host: 'evil.com', 'x-forwarded-host': 'evil.com', 'x-forwarded-proto': 'https' });
    assert.equal(new URL(body.logout_url).origin, 'http://localhost:4433');
  });

  test('contract: a repeated return_to is refused, even when one copy is allowed', async () => {
    const res = await get(t, '/self-service/logout/browser?return_to=https://www.ory.sh/&return_to=https://evil.com/', { cookie: C, ...JSONREQ });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.id, 'self_service_flow_return_to_forbidden');
  });

  test('bad percent-encoding in the query is a 400, not a 500', async () => {
    const res = await get(t, '/self-service/logout/browser?return_to=%E0%A4%A', { cookie: C, ...JSONREQ });
    assert.equal(res.statusCode, 400);
  });

  test('admin port: 307 to the public URL, query kept', async () => {
    for (const url of ['/admin/self-service/logout/browser?return_to=x', '/self-service/logout/browser?return_to=x']) {
      const res = await t.app.admin.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 307);
      assert.equal(res.headers.location, 'http://localhost:4433/self-service/logout/browser?return_to=x');
    }
  });
});

forEachBackend('GET /self-service/logout/browser with a base path', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend, config: { serve: { public: { base_url: 'https://h.example.com/.ory/kratos/public/' } } } });
  });
  after(() => t.close());

  test('logout_url = path.Join(base path, /self-service/logout)', async () => {
    const s = await seedLogin(t);
    const body = await logoutFlow(t, { 'x-session-token': s.token });
    assert.equal(body.logout_url, `https://h.example.com/.ory/kratos/public/self-service/logout?token=${body.logout_token}`);
  });
});
