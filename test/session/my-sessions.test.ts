import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { seedLogin, seedSession } from '../helpers/seed.js';
import { adm, NO_SESSION_COOKIE_401, pub, randomUUID, setCookieLines, whoami } from './util.js';

forEachBackend('self-service sessions', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(() => t.close());

  test('#57 DELETE /sessions revokes the other sessions, answers {"count":N}, keeps the current one', async () => {
    const me = await seedLogin(t);
    const other = await seedSession(t, me.identity);
    const stranger = await seedLogin(t);
    const res = await pub(t, 'DELETE', '/sessions', { cookie: me.cookie });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, '{"count":1}\n');
    assert.equal((await whoami(t, { cookie: me.cookie })).statusCode, 200);
    assert.equal((await whoami(t, { 'x-session-token': other.token })).statusCode, 401);
    assert.equal((await whoami(t, { cookie: stranger.cookie })).statusCode, 200, 'other identities are untouched');
    const again = await pub(t, 'DELETE', '/sessions', { 'x-session-token': me.token });
    assert.deepEqual(again.json(), { count: 0 });
  });

  test('#58 DELETE /sessions/{id}: current → 400, unknown → 204, other → 204 and revoked, bad uuid → 400', async () => {
    const me = await seedLogin(t);
    const other = await seedSession(t, me.identity);
    const current = await pub(t, 'DELETE', `/sessions/${me.session.id}`, { cookie: me.cookie });
    assert.equal(current.statusCode, 400);
    assert.equal(current.body, '{"error":{"code":400,"status":"Bad Request","message":"cannot revoke current session"}}\n');
    const unknown = await pub(t, 'DELETE', `/sessions/${randomUUID()}`, { cookie: me.cookie });
    assert.equal(unknown.statusCode, 204);
    assert.equal(unknown.body, '');
    const res = await pub(t, 'DELETE', `/sessions/${other.session.id}`, { cookie: me.cookie });
    assert.equal(res.statusCode, 204);
    assert.equal((await whoami(t, { 'x-session-token': other.token })).statusCode, 401);
    assert.equal((await pub(t, 'DELETE', `/sessions/${other.session.id}`, { cookie: me.cookie })).statusCode, 204, 'already revoked: still 204');
    const bad = await pub(t, 'DELETE', '/sessions/BADUUID', { cookie: me.cookie });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.body, '{"error":{"code":400,"status":"Bad Request","message":"uuid: incorrect UUID length 7 in string \\"BADUUID\\""}}\n');
    const badFormat = await pub(t, 'DELETE', `/sessions/${'z'.repeat(36)}`, { cookie: me.cookie });
    assert.equal(badFormat.json().error.message, `uuid: incorrect UUID format in string "${'z'.repeat(36)}"`);
    const badHex = await pub(t, 'DELETE', '/sessions/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', { cookie: me.cookie });
    assert.equal(badHex.json().error.message, 'uuid: invalid UUID format');
    assert.equal((await whoami(t, { cookie: me.cookie })).statusCode, 200);
  });

  test('DELETE /sessions/{id} cannot touch a session of another identity', async () => {
    const me = await seedLogin(t);
    const victim = await seedLogin(t);
    assert.equal((await pub(t, 'DELETE', `/sessions/${victim.session.id}`, { cookie: me.cookie })).statusCode, 204);
    assert.equal((await whoami(t, { cookie: victim.cookie })).statusCode, 200);
  });

  test('DELETE /sessions/whoami runs whoami', async () => {
    const me = await seedLogin(t);
    const res = await pub(t, 'DELETE', '/sessions/whoami', { cookie: me.cookie });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().id, me.session.id);
  });

  test('#59 GET /sessions lists the other active sessions, newest first, with Link and X-Total-Count', async () => {
    const me = await seedLogin(t);
    const older = await seedSession(t, me.identity);
    await new Promise((r) => setTimeout(r, 5));
    const newer = await seedSession(t, me.identity);
    const revoked = await seedSession(t, me.identity);
    await adm(t, 'DELETE', `/admin/sessions/${revoked.session.id}`);
    await seedLogin(t); // someone else
    const res = await pub(t, 'GET', '/sessions', { cookie: me.cookie });
    assert.equal(res.statusCode, 200);
    const list = res.json();
    assert.deepEqual(
      list.map((s: { id: string }) => s.id),
      [newer.session.id, older.session.id],
    );
    assert.equal(res.headers['x-total-count'], '2');
    assert.ok(typeof res.headers.link === 'string' && res.headers.link.includes('rel="first"'));
    assert.equal(list[0].identity.id, me.identity.id);
    assert.equal(list[0].identity.credentials, undefined);
    assert.equal(list[0].identity.metadata_admin, undefined);
    assert.equal(list[0].devices.length, 1);
    assert.deepEqual(setCookieLines(res), []);
  });

  test('GET /sessions paginates like Kratos (per_page/page and page_size/page_token)', async () => {
    const me = await seedLogin(t);
    for (let i = 0; i < 3; i++) await seedSession(t, me.identity);
    const first = await pub(t, 'GET', '/sessions?per_page=2', { cookie: me.cookie });
    assert.equal(first.json().length, 2);
    assert.equal(first.headers['x-total-count'], '3');
    const link = String(first.headers.link);
    assert.match(link, /^<\/sessions\?page=1&page_size=2&page_token=[A-Za-z0-9_-]+&per_page=2>; rel="next",<\/sessions\?page=1&page_size=2&page_token=[A-Za-z0-9_-]+&per_page=2>; rel="last"$/);
    const token = /page_token=([A-Za-z0-9_-]+)/.exec(link)?.[1] as string;
    const second = await pub(t, 'GET', `/sessions?page_size=2&page_token=${token}`, { cookie: me.cookie });
    assert.equal(second.json().length, 1);
    const ids = [...first.json(), ...second.json()].map((s: { id: string }) => s.id);
    assert.equal(new Set(ids).size, 3);
    const page1 = await pub(t, 'GET', '/sessions?per_page=2&page=1', { cookie: me.cookie });
    assert.deepEqual(page1.json(), second.json());
    // Garbage pagination values fall back to the defaults, as Kratos does.
    const garbage = await pub(t, 'GET', '/sessions?page=x&per_page=y&unknown=1', { cookie: me.cookie });
    assert.equal(garbage.statusCode, 200);
    assert.equal(garbage.json().length, 3);
  });

  test('the /sessions endpoints answer 401 "No valid session cookie found." without a usable session', async () => {
    const me = await seedLogin(t);
    for (const [method, url] of [
      ['GET', '/sessions'],
      ['DELETE', '/sessions'],
      ['DELETE', `/sessions/${randomUUID()}`],
      ['DELETE', '/sessions/BADUUID'],
    ] as const) {
      for (const headers of [{}, { cookie: `${t.config.sessionCookie.name}=garbage` }, { 'x-session-token': 'ory_st_nope' }]) {
        const res = await pub(t, method, url, headers);
        assert.equal(res.statusCode, 401, `${method} ${url}`);
        assert.equal(res.body, NO_SESSION_COOKIE_401);
      }
    }
    await t.app.registry.persister.identities.updateIdentity({ ...me.identity, state: 'inactive' });
    assert.equal((await pub(t, 'GET', '/sessions', { cookie: me.cookie })).statusCode, 401);
    assert.equal((await pub(t, 'DELETE', '/sessions', { cookie: me.cookie })).statusCode, 401);
  });

  test('wrong methods get 405; PATCH /sessions/{id}/extend is not on the public port (404, not a CSRF error)', async () => {
    const me = await seedLogin(t);
    const res = await pub(t, 'PATCH', `/sessions/${me.session.id}/extend`, { cookie: me.cookie });
    assert.equal(res.statusCode, 404);
    assert.notEqual(res.json().error.id, 'security_csrf_violation');
    const post = await pub(t, 'POST', '/sessions', { cookie: me.cookie });
    assert.equal(post.statusCode, 405);
    const get = await pub(t, 'GET', `/sessions/${me.session.id}`, { cookie: me.cookie });
    assert.equal(get.statusCode, 405);
  });
});
