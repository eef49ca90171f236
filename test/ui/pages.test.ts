import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Servers } from '../../src/http/server.js';
import { cspSource } from '../../src/ui/page.js';
import { FakeApi, IDENTITY, PUBLIC, loginFlow, session, uiServer } from './fake-api.js';

// form-action also lists the origins of referenceConfig()'s return URLs (where a login may redirect to).
const CSP = `default-src 'none'; style-src 'self'; form-action 'self' ${PUBLIC} http://localhost:4455 https://www.ory.sh https://www.example.org https://*.example.com; img-src 'self'; frame-ancestors 'none'; base-uri 'none'`;
const FLOW = '3f1c2b6e-7d1a-4c57-9a3e-1e0b5f7a9c11';
const CURRENT = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

describe('built-in UI pages (against a fake API)', () => {
  let api: FakeApi;
  let s: Servers;
  before(async () => {
    api = new FakeApi();
    s = await uiServer(api);
  });
  after(async () => {
    await s.public.close();
    await s.admin.close();
  });
  const get = (url: string, headers: Record<string, string> = {}) => s.public.inject({ method: 'GET', url, headers });

  test('/ui/ redirects to the welcome page, with the UI security headers', async () => {
    const res = await get('/ui/');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/ui/welcome');
    assert.equal(res.headers['content-security-policy'], CSP);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    const bare = await get('/ui');
    assert.equal(bare.statusCode, 303);
  });

  test('signed out, the welcome page sends the browser to login and forwards the cookie it was given', async () => {
    api.on('GET', '/sessions/whoami', () => ({ status: 401, body: { error: { code: 401, status: 'Unauthorized', message: 'The request could not be authorized' } } }));
    const res = await get('/ui/welcome', { cookie: 'ory_kratos_session=stale' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/ui/login');
    assert.equal(api.calls.at(-1)?.cookie, 'ory_kratos_session=stale');
  });

  test('login without a flow starts one at the API, carrying return_to', async () => {
    assert.equal((await get('/ui/login')).headers.location, `${PUBLIC}/self-service/login/browser`);
    const res = await get('/ui/login?return_to=' + encodeURIComponent('http://localhost:4455/x?a=1'));
    assert.equal(res.headers.location, `${PUBLIC}/self-service/login/browser?return_to=http%3A%2F%2Flocalhost%3A4455%2Fx%3Fa%3D1`);
    assert.equal((await get('/ui/registration')).headers.location, `${PUBLIC}/self-service/registration/browser`);
  });

  test('a login flow renders from its nodes: labels, values, messages tied to fields, escaped text', async () => {
    const hostile = '<script>alert(1)</script>';
    api.on('GET', '/self-service/login/flows', () => ({
      status: 200,
      body: loginFlow(FLOW, {
        identifierValue: `ada@example.org"><b>`,
        identifierMessages: [{ id: 4000002, text: `Property identifier is missing. ${hostile}`, type: 'error' }],
        messages: [{ id: 4000006, text: 'The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.', type: 'error' }],
      }),
      setCookie: ['csrf_token_x=abc; Path=/; HttpOnly'],
    }));
    const res = await get(`/ui/login?flow=${FLOW}`, { cookie: 'csrf_token_x=abc' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.deepEqual([res.headers['set-cookie']].flat(), ['csrf_token_x=abc; Path=/; HttpOnly']);
    assert.equal(api.calls.at(-1)?.url, `/self-service/login/flows?id=${FLOW}`);
    assert.equal(api.calls.at(-1)?.cookie, 'csrf_token_x=abc');
    const html = res.body;
    assert.match(html, /<html lang="en">/);
    assert.match(html, new RegExp(`<form class="stack" action="${PUBLIC}/self-service/login\\?flow=${FLOW}" method="post">`));
    assert.match(html, /<input type="hidden" name="csrf_token" value="masked\+token\/==">/);
    assert.match(html, /<label for="f-identifier">Your E-Mail/);
    assert.match(html, /id="f-identifier" type="text" name="identifier" value="ada@example.org&quot;&gt;&lt;b&gt;" required autocomplete="username" aria-invalid="true" aria-describedby="f-identifier-msg-0" autofocus/);
    assert.match(html, /<p id="f-identifier-msg-0" class="msg msg-error" data-testid="ui\/message\/4000002">Property identifier is missing. &lt;script&gt;/);
    assert.ok(!html.includes(hostile));
    assert.match(html, /<input id="f-password" type="password" name="password" required autocomplete="current-password">/);
    assert.match(html, /role="alert">\s*<p id="flow-msg-0" class="msg msg-error" data-testid="ui\/message\/4000006">The provided credentials are invalid/);
    assert.match(html, /<button class="btn primary wide" type="submit" name="method" value="password">Sign in with password<\/button>/);
    assert.match(html, /href="\/ui\/registration">Create an account/);
    assert.ok(!/<script/i.test(html), 'no script element at all');
    assert.ok(!/style="/.test(html), 'no inline styles');
  });

  test('a stale, foreign or expired flow starts a new one', async () => {
    for (const status of [403, 404, 410]) {
      api.on('GET', '/self-service/registration/flows', () => ({ status, body: { error: { code: status, status: 'x', message: 'x' } } }));
      const res = await get(`/ui/registration?flow=${FLOW}&return_to=${encodeURIComponent(`${PUBLIC}/ui/welcome`)}`);
      assert.equal(res.statusCode, 303, String(status));
      assert.equal(res.headers.location, `${PUBLIC}/self-service/registration/browser?return_to=${encodeURIComponent(`${PUBLIC}/ui/welcome`)}`);
    }
  });

  test('the account page shows who is signed in and the logout link, carrying return_to', async () => {
    api.on('GET', '/sessions/whoami', () => ({ status: 200, body: session(CURRENT) }));
    api.on('GET', '/self-service/logout/browser', (r) => ({
      status: 200,
      body: { logout_url: `${PUBLIC}/self-service/logout?${r.query?.return_to ? `return_to=${encodeURIComponent(r.query.return_to)}&` : ''}token=ory_lo_abc`, logout_token: 'ory_lo_abc' },
    }));
    api.on('GET', '/schemas/default', () => ({
      status: 200,
      body: { type: 'object', properties: { traits: { type: 'object', properties: { email: { type: 'string', title: 'Your E-Mail' }, website: { type: 'string' } } } } },
    }));
    const logoutCalls = () => api.calls.filter((c) => c.path === '/self-service/logout/browser');
    const res = await get('/ui/welcome?return_to=' + encodeURIComponent('https://www.example.org/'), { cookie: 'ory_kratos_session=c' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(logoutCalls().at(-1)?.url, '/self-service/logout/browser?return_to=https%3A%2F%2Fwww.example.org%2F');
    assert.equal(logoutCalls().at(-1)?.cookie, 'ory_kratos_session=c');
    assert.match(res.body, /<dt>Your E-Mail<\/dt><dd>ada@example.org<\/dd>/);
    assert.match(res.body, /<dt>website<\/dt><dd>https:\/\/ada.example.org<\/dd>/);
    assert.match(res.body, /data-testid="identity-name">ada@example.org</);
    assert.match(res.body, /href="http:\/\/127.0.0.1:4433\/self-service\/logout\?return_to=https%3A%2F%2Fwww.example.org%2F&amp;token=ory_lo_abc" data-testid="logout-link">Log out</);
    assert.match(res.body, /<nav aria-label="Account">/);
    assert.match(res.body, /aria-current="page">Account</);
    const plain = await get('/ui/welcome', { cookie: 'ory_kratos_session=c' });
    assert.equal(logoutCalls().at(-1)?.url, '/self-service/logout/browser');
    assert.equal(api.calls.filter((c) => c.path === '/schemas/default').length, 1, 'schema titles are read once');
    assert.equal(plain.statusCode, 200);
  });

  test('a return_to the API refuses is shown as the error page, not followed', async () => {
    api.on('GET', '/self-service/logout/browser', () => ({
      status: 400,
      body: { error: { id: 'self_service_flow_return_to_forbidden', code: 400, status: 'Bad Request', reason: 'Requested return_to URL "https://evil.example" is not allowed.', message: 'The request was malformed or contained invalid parameters' } },
    }));
    const res = await get('/ui/welcome?return_to=https://evil.example', { cookie: 'ory_kratos_session=c' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers.location, undefined);
    assert.match(res.body, /That link is not allowed/);
    assert.match(res.body, /Requested return_to URL &quot;https:\/\/evil.example&quot; is not allowed./);
  });

  test('the sessions page lists this device first and a Revoke form for each other one', async () => {
    api.on('GET', '/sessions/whoami', () => ({ status: 200, body: session(CURRENT) }));
    api.on('GET', '/sessions', () => ({ status: 200, body: [session(OTHER, 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1')] }));
    const res = await get('/ui/sessions', { cookie: 'ory_kratos_session=c' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const html = res.body;
    assert.match(html, /Chrome on Linux <span class="badge">This device<\/span>/);
    assert.match(html, /Safari on iOS/);
    assert.match(html, new RegExp(`name="id" value="${OTHER}"`));
    assert.ok(!html.includes(`name="id" value="${CURRENT}"`));
    assert.match(html, /Log out everywhere else/);
    assert.match(html, /192.0.2.7/);
  });

  describe('the UI\'s own POST forms are protected against CSRF', () => {
    let token = '';
    before(async () => {
      api.on('GET', '/sessions/whoami', () => ({ status: 200, body: session(CURRENT) }));
      api.on('GET', '/sessions', () => ({ status: 200, body: [session(OTHER)] }));
      api.on('DELETE', `/sessions/${OTHER}`, () => ({ status: 204 }));
      api.on('DELETE', '/sessions', () => ({ status: 200, body: { count: 1 } }));
      const page = await get('/ui/sessions', { cookie: 'ory_kratos_session=c' });
      token = /name="token" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      assert.ok(token.length > 20);
    });
    const post = (url: string, body: string, headers: Record<string, string> = {}) =>
      s.public.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'ory_kratos_session=c', ...headers } });
    const deletes = () => api.calls.filter((c) => c.method === 'DELETE').length;

    test('a valid same-origin form revokes the device through the API', async () => {
      const before = deletes();
      const res = await post('/ui/sessions/revoke', `token=${encodeURIComponent(token)}&id=${OTHER}`, { origin: PUBLIC, 'sec-fetch-site': 'same-origin' });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/ui/sessions?notice=revoked');
      assert.equal(deletes(), before + 1);
      assert.equal(api.calls.at(-1)?.url, `/sessions/${OTHER}`);
      assert.equal(api.calls.at(-1)?.cookie, 'ory_kratos_session=c');
      const all = await post('/ui/sessions/revoke-others', `token=${encodeURIComponent(token)}`, { origin: PUBLIC });
      assert.equal(all.statusCode, 303);
      assert.equal(all.headers.location, '/ui/sessions?notice=revoked-all');
      assert.equal(api.calls.at(-1)?.url, '/sessions');
    });

    test('forged requests change nothing', async () => {
      const before = deletes();
      const cases: [string, Record<string, string>][] = [
        [`id=${OTHER}`, { origin: PUBLIC }],
        [`token=wrong&id=${OTHER}`, { origin: PUBLIC }],
        [`token=${encodeURIComponent(token)}&id=${OTHER}`, { origin: 'https://evil.example' }],
        [`token=${encodeURIComponent(token)}&id=${OTHER}`, { origin: 'null' }],
        [`token=${encodeURIComponent(token)}&id=${OTHER}`, { 'sec-fetch-site': 'cross-site' }],
        [`token=${encodeURIComponent(token)}&token=${encodeURIComponent(token)}&id=${OTHER}`, {}],
      ];
      for (const [body, headers] of cases) {
        const res = await post('/ui/sessions/revoke', body, headers);
        assert.equal(res.statusCode, 403, `${body} ${JSON.stringify(headers)}`);
        assert.match(res.body, /Please try again/);
      }
      const other = await post('/ui/sessions/revoke-others', 'token=nope', { origin: PUBLIC });
      assert.equal(other.statusCode, 403);
      assert.equal(deletes(), before);
    });

    test('malformed bodies are a 400 page, not a 500', async () => {
      const res = await post('/ui/sessions/revoke', 'token=%zz', { origin: PUBLIC });
      assert.equal(res.statusCode, 400);
      assert.match(res.headers['content-type'] as string, /text\/html/);
    });
  });

  test('the error page renders the API\'s error container', async () => {
    api.on('GET', '/self-service/errors', (r) =>
      r.query?.id === 'stub:500'
        ? { status: 200, body: { id: 'e0e0e0e0-0000-4000-8000-000000000000', error: { code: 500, status: 'Internal Server Error', reason: 'This is a stub error.', message: 'An internal server error occurred, please contact the system administrator' } } }
        : { status: 404, body: { error: { code: 404, status: 'Not Found', message: 'Unable to locate the resource' } } },
    );
    const res = await get('/ui/error?id=stub:500', { cookie: 'ory_kratos_session=c' });
    assert.equal(res.statusCode, 200);
    assert.equal(api.calls.at(-1)?.cookie, undefined, 'errors are read without cookies');
    assert.match(res.body, /This is a stub error./);
    assert.match(res.body, /e0e0e0e0-0000-4000-8000-000000000000/);
    assert.equal((await get('/ui/error?id=nope')).statusCode, 404);
    assert.equal((await get('/ui/error')).statusCode, 404);
  });

  test('unknown UI paths, wrong methods and bad queries are HTML pages with the CSP', async () => {
    const nf = await get('/ui/nope');
    assert.equal(nf.statusCode, 404);
    assert.match(nf.headers['content-type'] as string, /text\/html/);
    assert.equal(nf.headers['content-security-policy'], CSP);
    const bad = await get('/ui/login?flow=%zz');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.headers['content-type'] as string, /text\/html/);
    const m = await s.public.inject({ method: 'DELETE', url: '/ui/welcome' });
    assert.equal(m.statusCode, 405);
  });

  test('the stylesheet is served from /ui/style.css', async () => {
    const res = await get('/ui/style.css');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/css; charset=utf-8');
    assert.match(res.body, /\.card/);
  });

  test('configured return URLs become CSP sources only when they are plain origins', () => {
    assert.equal(cspSource('https://App.Example.com:8443/x?y'), 'https://app.example.com:8443');
    assert.equal(cspSource('https://*.example.com/'), 'https://*.example.com');
    assert.equal(cspSource('http://localhost:4455'), 'http://localhost:4455');
    for (const bad of ['/relative', 'javascript:alert(1)', "https://a.com; script-src 'unsafe-inline'", 'https://a.com x', 'https://user@a.com/', 'ftp://a.com/', 42]) {
      assert.equal(cspSource(bad), undefined, String(bad));
    }
    assert.equal(IDENTITY.traits.email, 'ada@example.org');
  });
});
