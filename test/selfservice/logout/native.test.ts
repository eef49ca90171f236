import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { seedLogin } from '../../helpers/seed.js';
import { assertHardened, logoutFlow, NATIVE_UNKNOWN, whoami } from './helpers.js';

// kratos-logout-spec.md §5 group C (performNativeLogout), raw HTTP.
forEachBackend('DELETE /self-service/logout/api', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(() => t.close());

  const del = (payload: string | undefined, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    t.app.public.inject({ method: 'DELETE', url: '/self-service/logout/api', headers, payload });
  const hardened = assertHardened;
  const bad = (reason: string) => ({ error: { code: 400, status: 'Bad Request', reason, message: 'The request was malformed or contained invalid parameters' } });

  test('#44 #45 #52 a session token: 204, empty body, no Set-Cookie; the session is inactive; a repeat is 204 again', async () => {
    const s = await seedLogin(t);
    const flow = await logoutFlow(t, { cookie: s.cookie });
    const res = await del(JSON.stringify({ session_token: s.token }), { 'content-type': 'application/json', cookie: s.cookie });
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assert.equal(res.headers['set-cookie'], undefined);
    hardened(res);
    assert.equal(await whoami(t, { 'x-session-token': s.token }), 401);
    assert.equal(await whoami(t, { cookie: s.cookie }), 401);
    const stored = await t.app.registry.persister.sessions.getSession(s.session.id);
    assert.equal(stored?.active, false);
    const admin = await t.app.admin.inject({ method: 'GET', url: `/admin/sessions/${s.session.id}` });
    if (admin.statusCode === 200) assert.equal(admin.json().active, false);
    assert.equal((await del(JSON.stringify({ session_token: s.token }))).statusCode, 204);
    // The logout URL issued before is dead too.
    const u = new URL(flow.logout_url);
    const old = await t.app.public.inject({ method: 'GET', url: `${u.pathname}${u.search}`, headers: { cookie: s.cookie, accept: 'application/json' } });
    assert.equal(old.statusCode, 401);
  });

  test('#46 #47 #48 unknown, missing, null, logout-token or garbage tokens: 403 with Kratos\'s body', async () => {
    const s = await seedLogin(t);
    const lo = (await logoutFlow(t, { cookie: s.cookie })).logout_token;
    for (const body of [
      { session_token: 'not a valid token' },
      {},
      { session_token: '' },
      { session_token: null },
      { session_token: lo },
      { session_token: `ory_st_${'a'.repeat(32)}` },
      { session_token: 'x'.repeat(100_000) },
      null,
    ]) {
      const res = await del(JSON.stringify(body));
      assert.equal(res.statusCode, 403, JSON.stringify(body).slice(0, 80));
      assert.deepEqual(res.json(), NATIVE_UNKNOWN);
      hardened(res);
    }
    assert.equal(await whoami(t, { cookie: s.cookie }), 200);
  });

  test('#49 no body: 400 Content-Length is zero', async () => {
    const res = await del(undefined);
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), bad('Unable to decode HTTP Request Body because its HTTP Header "Content-Length" is zero.'));
    hardened(res);
  });

  test('#50 a wrong or missing Content-Type: 400 naming it', async () => {
    const res = await del('{"session_token":"x"}', { 'content-type': 'text/plain' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), bad('HTTP DELETE Request used unknown HTTP Header "Content-Type: text/plain", only [application/json] are supported.'));
    const none = await del('{"session_token":"x"}', {});
    assert.equal(none.statusCode, 400);
  });

  test('#51 invalid JSON and wrong JSON types: 400 Unable to decode JSON payload', async () => {
    for (const body of ['{', '[]', '"x"', '{"session_token":1}', '{"session_token":{}}', '\u00ff']) {
      const res = await del(body);
      assert.equal(res.statusCode, 400, body);
      assert.match(res.json().error.reason, /^Unable to decode (JSON payload: |HTTP Request Body)/);
    }
    const typed = await del('{"session_token":1}');
    assert.equal(typed.json().error.reason, 'Unable to decode JSON payload: json: cannot unmarshal number into Go struct field performNativeLogoutBody.session_token of type string');
  });

  test('parameters on the media type are fine; key case follows Go (case-insensitive)', async () => {
    const a = await seedLogin(t);
    assert.equal((await del(JSON.stringify({ session_token: a.token }), { 'content-type': 'application/json; charset=utf-8' })).statusCode, 204);
    const b = await seedLogin(t);
    assert.equal((await del(JSON.stringify({ Session_Token: b.token }))).statusCode, 204);
    assert.equal(await whoami(t, { 'x-session-token': b.token }), 401);
  });

  test('#53 the token of an expired session: 204', async () => {
    const s = await seedLogin(t);
    await t.app.registry.persister.sessions.updateSession({ ...s.session, expiresAt: new Date(Date.now() - 1000) });
    assert.equal((await del(JSON.stringify({ session_token: s.token }))).statusCode, 204);
  });

  test('only the named session ends; cookies in the request are neither read nor written', async () => {
    const a = await seedLogin(t);
    const b = await seedLogin(t);
    const res = await del(JSON.stringify({ session_token: a.token }), { 'content-type': 'application/json', cookie: b.cookie });
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers['set-cookie'], undefined);
    assert.equal(await whoami(t, { cookie: b.cookie }), 200);
  });

  test('other methods: 405; admin port: 307 to the public URL', async () => {
    const get = await t.app.public.inject({ method: 'GET', url: '/self-service/logout/api' });
    assert.equal(get.statusCode, 405);
    hardened(get);
    for (const url of ['/admin/self-service/logout/api', '/self-service/logout/api']) {
      const res = await t.app.admin.inject({ method: 'DELETE', url });
      assert.equal(res.statusCode, 307);
      assert.equal(res.headers.location, 'http://localhost:4433/self-service/logout/api');
    }
  });
});
