import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { seedLogin } from '../../helpers/seed.js';
import { get, JSONREQ, logoutFlow, pathOf, whoami } from './helpers.js';

const READS = ['getSessionByTokenHash', 'getSession', 'listSessions'];
const WRITES = [
  'createSession',
  'revokeSessionByTokenHash',
  'revokeSessionById',
  'revokeSessionOfIdentity',
  'revokeOtherSessions',
  'deleteSessionsOfIdentity',
  'updateSession',
  'rotateSessionToken',
  'deleteExpiredSessions',
];

/** Wraps every SessionStore method (and the error store) to record calls. */
function instrument(t: TestApp) {
  const calls: string[] = [];
  const restore: Array<() => void> = [];
  const wrap = (obj: Record<string, unknown>, name: string, label: string) => {
    const own = Object.prototype.hasOwnProperty.call(obj, name);
    const original = obj[name] as (...a: unknown[]) => Promise<unknown>;
    obj[name] = async (...args: unknown[]) => {
      calls.push(label);
      return original.apply(obj, args);
    };
    restore.push(() => (own ? (obj[name] = original) : delete obj[name]));
  };
  const sessions = t.app.registry.persister.sessions as unknown as Record<string, unknown>;
  for (const n of [...READS, ...WRITES]) wrap(sessions, n, n);
  const errors = t.app.registry.persister.errors as unknown as Record<string, unknown>;
  for (const n of ['createError', 'getError']) wrap(errors, n, `errors.${n}`);
  return {
    calls,
    reset() {
      calls.length = 0;
    },
    reads: () => calls.filter((c) => READS.includes(c)).length,
    writes: () => calls.filter((c) => WRITES.includes(c) || c === 'errors.createError').length,
    restore: () => restore.forEach((r) => r()),
  };
}

forEachBackend('logout storage round trips and concurrency', (backend) => {
  let t: TestApp;
  let probe: ReturnType<typeof instrument>;
  before(async () => {
    t = await startApp({ backend });
    probe = instrument(t);
  });
  after(async () => {
    probe.restore();
    await t.close();
  });

  /** Runs `fn` with a clean count and returns what it did to storage. */
  async function measure(fn: () => Promise<unknown>) {
    probe.reset();
    await fn();
    return { reads: probe.reads(), writes: probe.writes(), calls: [...probe.calls] };
  }

  describe('at most one read and one write per logout (figures for the README)', () => {
    test('updateLogoutFlow, browser (cookie): 1 read (session by token digest) + 1 write (revoke by the same digest)', async () => {
      const s = await seedLogin(t);
      const url = pathOf((await logoutFlow(t, { cookie: s.cookie })).logout_url);
      const m = await measure(async () => assert.equal((await get(t, url, { cookie: s.cookie })).statusCode, 303));
      assert.deepEqual(m.calls, ['getSessionByTokenHash', 'revokeSessionByTokenHash']);
    });
    test('updateLogoutFlow, JSON with a bearer token: 1 read + 1 write', async () => {
      const s = await seedLogin(t);
      const url = pathOf((await logoutFlow(t, { cookie: s.cookie })).logout_url);
      const m = await measure(async () => assert.equal((await get(t, url, { authorization: `Bearer ${s.token}`, ...JSONREQ })).statusCode, 204));
      assert.deepEqual(m.calls, ['getSessionByTokenHash', 'revokeSessionByTokenHash']);
    });
    test('performNativeLogout: 0 reads + 1 write (revoke by token digest); garbage tokens: no storage at all', async () => {
      const s = await seedLogin(t);
      const del = (token: string) =>
        t.app.public.inject({ method: 'DELETE', url: '/self-service/logout/api', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ session_token: token }) });
      let m = await measure(async () => assert.equal((await del(s.token)).statusCode, 204));
      assert.deepEqual(m.calls, ['revokeSessionByTokenHash']);
      m = await measure(async () => assert.equal((await del('garbage')).statusCode, 403));
      assert.deepEqual(m.calls, []);
    });
    test('createBrowserLogoutFlow: 1 read, 0 writes', async () => {
      const s = await seedLogin(t);
      const m = await measure(() => logoutFlow(t, { cookie: s.cookie }));
      assert.deepEqual(m.calls, ['getSessionByTokenHash']);
    });
    test('refusals: mismatch is 1 read and no write; no token is no storage (JSON)', async () => {
      const a = await seedLogin(t);
      const b = await seedLogin(t);
      const url = pathOf((await logoutFlow(t, { cookie: a.cookie })).logout_url);
      let m = await measure(async () => assert.equal((await get(t, url, { cookie: b.cookie, ...JSONREQ })).statusCode, 403));
      assert.deepEqual(m.calls, ['getSessionByTokenHash']);
      m = await measure(async () => assert.equal((await get(t, '/self-service/logout', { cookie: b.cookie, ...JSONREQ })).statusCode, 400));
      assert.deepEqual(m.calls, []);
    });
  });

  describe('concurrent logouts of one session', () => {
    test('50 updateLogoutFlow at once: each 204 or 401, exactly one revocation, no 5xx, session inactive', async () => {
      const s = await seedLogin(t);
      const url = pathOf((await logoutFlow(t, { cookie: s.cookie })).logout_url);
      probe.reset();
      // The store reports what a revoke ended; the manager turns each report into one notification.
      const ended: string[][] = [];
      const off = t.app.registry.sessions.onRevoked((e) => void ended.push([...e.sessionIds]));
      const results = await Promise.all(Array.from({ length: 50 }, () => get(t, url, { cookie: s.cookie, ...JSONREQ }))).finally(off);
      const statuses = results.map((r) => r.statusCode);
      for (const st of statuses) assert.ok(st === 204 || st === 401, `status ${st}`);
      assert.ok(statuses.includes(204));
      assert.deepEqual(ended, [[s.session.id]], 'exactly one revocation, of that session');
      assert.ok(probe.calls.filter((c) => c === 'revokeSessionByTokenHash').length <= statuses.filter((x) => x === 204).length);
      assert.equal(await whoami(t, { cookie: s.cookie }), 401);
      assert.equal((await t.app.registry.persister.sessions.getSession(s.session.id))?.active, false);
    });

    test('50 performNativeLogout at once: all 204, session inactive', async () => {
      const s = await seedLogin(t);
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          t.app.public.inject({ method: 'DELETE', url: '/self-service/logout/api', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ session_token: s.token }) }),
        ),
      );
      assert.deepEqual([...new Set(results.map((r) => r.statusCode))], [204]);
      assert.equal(await whoami(t, { 'x-session-token': s.token }), 401);
    });

    test('browser, bearer and native logouts of one session mixed, 60 at once: 204/401 only, session inactive', async () => {
      const s = await seedLogin(t);
      const url = pathOf((await logoutFlow(t, { cookie: s.cookie })).logout_url);
      const jobs = Array.from({ length: 60 }, (_, i) => {
        if (i % 3 === 0) return get(t, url, { cookie: s.cookie });
        if (i % 3 === 1) return get(t, url, { authorization: `Bearer ${s.token}`, ...JSONREQ });
        return t.app.public.inject({ method: 'DELETE', url: '/self-service/logout/api', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ session_token: s.token }) });
      });
      const statuses = (await Promise.all(jobs)).map((r) => r.statusCode);
      for (const st of statuses) assert.ok([204, 303, 401].includes(st), `status ${st}`);
      assert.equal((await t.app.registry.persister.sessions.getSession(s.session.id))?.active, false);
    });

    test('a logout racing admin session extensions never leaves the session active', async () => {
      for (let round = 0; round < 10; round++) {
        const s = await seedLogin(t);
        const url = pathOf((await logoutFlow(t, { cookie: s.cookie })).logout_url);
        const extend = () => t.app.admin.inject({ method: 'PATCH', url: `/admin/sessions/${s.session.id}/extend` });
        const results = await Promise.all([extend(), get(t, url, { cookie: s.cookie, ...JSONREQ }), extend(), extend()]);
        for (const r of results) assert.ok(r.statusCode < 500, `status ${r.statusCode}`);
        assert.equal((await t.app.registry.persister.sessions.getSession(s.session.id))?.active, false, `round ${round}`);
        assert.equal(await whoami(t, { cookie: s.cookie }), 401);
      }
    });
  });
});
