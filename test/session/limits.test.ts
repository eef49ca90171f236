import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LightMyRequestResponse } from 'fastify';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { seedIdentity, seedLogin, seedSession } from '../helpers/seed.js';
import type { SessionRevokedEvent } from '../../src/session/manager.js';
import { JSONREQ, logoutFlow, pathOf, sessionSetCookie } from '../selfservice/logout/helpers.js';
import { adm, pub, whoami, WHOAMI_401, NO_SESSION_COOKIE_401 } from './util.js';

/*
 * porta.session.inactivity_timeout and porta.session.max_lifetime (ASVS 5.0 V7.3.1, V7.3.2), through
 * whoami, the logout endpoints, /sessions, admin extend, the cookie refresh and the login flow. The
 * durations are tiny; every sleep only waits past a limit, so a slow machine can delay but not flip a check.
 */

const nativeLogout = (t: TestApp, token: string): Promise<LightMyRequestResponse> =>
  t.app.public.inject({ method: 'DELETE', url: '/self-service/logout/api', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ session_token: token }) });
const extend = (t: TestApp, id: string) => adm(t, 'PATCH', `/admin/sessions/${id}/extend`);
const ids = (res: LightMyRequestResponse): string[] => (res.json() as Array<{ id: string }>).map((s) => s.id).sort();

/** Counts calls of the session store's methods (as test/selfservice/logout/storage.test.ts does). */
function countStore(t: TestApp) {
  const calls: string[] = [];
  const store = t.app.registry.persister.sessions as unknown as Record<string, unknown>;
  const restore: Array<() => void> = [];
  for (const name of ['getSessionByTokenHash', 'getSession', 'listSessions', 'recordActivity', 'updateSession', 'rotateSessionToken', 'revokeSessionById']) {
    const original = store[name] as (...a: unknown[]) => Promise<unknown>;
    store[name] = async (...args: unknown[]) => {
      calls.push(name);
      return original.apply(store, args);
    };
    restore.push(() => delete store[name]);
  }
  return { calls, restore: () => restore.forEach((r) => r()) };
}

function listen(t: TestApp) {
  const events: SessionRevokedEvent[] = [];
  const off = t.app.registry.sessions.onRevoked((e) => {
    events.push(e);
  });
  return { events, off };
}

forEachBackend('session limits: inactivity_timeout', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend, config: { porta: { session: { inactivity_timeout: '3s', activity_granularity: '200ms' } } } });
  });
  after(async () => {
    await t.close();
  });

  test('a session in use stays; an idle one is refused by whoami, logout, /sessions, extend and the login flow', async () => {
    const heard = listen(t);
    try {
      const identity = await seedIdentity(t);
      const other = async () => seedSession(t, identity);
      const [idle, browser, native, extended] = [await other(), await other(), await other(), await other()];
      const logoutURL = pathOf((await logoutFlow(t, { cookie: browser.cookie })).logout_url);
      const user = { identity, ...(await seedSession(t, identity)) };

      // Only `user` is used in between; 2 x 1.7 s passes the 3 s timeout for the others only.
      await sleep(1700);
      assert.equal((await whoami(t, { cookie: user.cookie })).statusCode, 200);
      await sleep(1700);
      assert.equal((await whoami(t, { cookie: user.cookie })).statusCode, 200, 'activity recorded by whoami keeps the session');

      const refused = await whoami(t, { 'x-session-token': idle.token });
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.body, WHOAMI_401);
      assert.equal((await whoami(t, { cookie: idle.cookie })).statusCode, 401);
      assert.equal((await pub(t, 'GET', '/sessions', { 'x-session-token': idle.token })).body, NO_SESSION_COOKIE_401);

      // The browser logout of an idle session is Kratos's "no active session" 401, and the stale cookie goes.
      const lo = await pub(t, 'GET', logoutURL, { cookie: browser.cookie, ...JSONREQ });
      assert.equal(lo.statusCode, 401, lo.body);
      assert.equal(lo.json().error.id, 'session_inactive');
      assert.equal(sessionSetCookie(t, lo)?.value, '');
      // The native logout answers 204 as for any known token; the session was over already, so no event.
      assert.equal((await nativeLogout(t, native.token)).statusCode, 204);
      assert.deepEqual(heard.events, []);

      // Extend does not revive an idle session.
      const ext = await extend(t, extended.session.id);
      assert.equal(ext.statusCode, 200);
      assert.equal(ext.json().active, false);
      assert.equal(ext.json().expires_at, (await adm(t, 'GET', `/admin/sessions/${extended.session.id}`)).json().expires_at);
      assert.equal(new Date(ext.json().expires_at).getTime(), extended.session.expiresAt.getTime());
      assert.equal((await whoami(t, { 'x-session-token': extended.token })).statusCode, 401);

      // Lists: idle sessions are not active anywhere.
      assert.deepEqual(ids(await pub(t, 'GET', '/sessions', { cookie: user.cookie })), []);
      const listed = await adm(t, 'GET', `/admin/identities/${user.identity.id}/sessions?active=true`);
      assert.deepEqual(ids(listed), [user.session.id]);
      const over = await adm(t, 'GET', `/admin/identities/${user.identity.id}/sessions?active=false`);
      assert.deepEqual(ids(over), [idle, browser, native, extended].map((s) => s.session.id).sort());
      assert.equal((await adm(t, 'GET', `/admin/sessions/${idle.session.id}`)).json().active, false);

      // The login flow sees no session in an idle token: a new login, not "already logged in".
      assert.equal((await pub(t, 'GET', '/self-service/login/api', { 'x-session-token': idle.token })).statusCode, 200);
      assert.equal((await pub(t, 'GET', '/self-service/login/api', { 'x-session-token': user.token })).statusCode, 400);
    } finally {
      heard.off();
    }
  });
});

forEachBackend('session limits: activity is written at most once per granularity', (backend) => {
  let on: TestApp;
  let off: TestApp;
  before(async () => {
    on = await startApp({ backend, config: { porta: { session: { inactivity_timeout: '1h', activity_granularity: '1s' } } } });
    off = await startApp({ backend });
  });
  after(async () => {
    await on.close();
    await off.close();
  });

  test('timeout off: whoami is one read and nothing else', async () => {
    const s = await seedLogin(off);
    const probe = countStore(off);
    try {
      for (let i = 0; i < 3; i++) assert.equal((await whoami(off, { cookie: s.cookie })).statusCode, 200);
      assert.deepEqual(probe.calls, ['getSessionByTokenHash', 'getSessionByTokenHash', 'getSessionByTokenHash']);
    } finally {
      probe.restore();
    }
  });

  test('timeout on: fresh activity is not rewritten; a stale one is written once, then not again', async () => {
    const s = await seedLogin(on);
    const probe = countStore(on);
    try {
      for (let i = 0; i < 3; i++) assert.equal((await whoami(on, { 'x-session-token': s.token })).statusCode, 200);
      assert.deepEqual(probe.calls, ['getSessionByTokenHash', 'getSessionByTokenHash', 'getSessionByTokenHash'], 'login just recorded the activity');
      await sleep(1100);
      probe.calls.length = 0;
      for (let i = 0; i < 3; i++) assert.equal((await whoami(on, { 'x-session-token': s.token })).statusCode, 200);
      assert.deepEqual(probe.calls, ['getSessionByTokenHash', 'recordActivity', 'getSessionByTokenHash', 'getSessionByTokenHash']);
    } finally {
      probe.restore();
    }
    const stored = await on.app.registry.persister.sessions.getSession(s.session.id);
    assert.ok(stored && stored.lastActiveAt.getTime() >= s.session.lastActiveAt.getTime() + 1000);
    // Recording activity is invisible to API clients: updated_at and the rest of the session are untouched.
    assert.equal(stored.updatedAt.getTime(), s.session.updatedAt.getTime());
    assert.equal(stored.expiresAt.getTime(), s.session.expiresAt.getTime());
  });
});

forEachBackend('session limits: max_lifetime', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend, config: { session: { lifespan: '1h' }, porta: { session: { max_lifetime: '1500ms' } } } });
  });
  after(async () => {
    await t.close();
  });

  test('no login, refresh, extend or cookie refresh passes authenticated_at + max_lifetime; past it the session is refused', async () => {
    const heard = listen(t);
    try {
      const identity = await seedIdentity(t);
      const s = await seedSession(t, identity);
      const cap = s.session.authenticatedAt.getTime() + 1500;
      assert.equal(s.session.expiresAt.getTime(), cap, 'a new session expires at the cap, not after the 1h lifespan');

      // A session stored with a later expiry (say, before max_lifetime was configured) is still cut at the cap.
      const late = await seedSession(t, identity);
      await t.app.registry.persister.sessions.updateSession({ ...late.session, expiresAt: new Date(Date.now() + 3600_000) });
      const lateCap = late.session.authenticatedAt.getTime() + 1500;
      assert.equal(new Date((await whoami(t, { 'x-session-token': late.token })).json().expires_at).getTime(), lateCap);

      // The cookie refresh: a cookie issued with an earlier expiry is re-issued, but only up to the cap.
      const shortCookie = `${t.config.sessionCookie.name}=${t.app.registry.sessions.encodeCookie(late.token, { ...late.session, expiresAt: new Date(Date.now() + 100) })}`;
      const refreshed = await whoami(t, { cookie: shortCookie });
      assert.equal(refreshed.statusCode, 200);
      const cookie = sessionSetCookie(t, refreshed);
      assert.ok(cookie, 'the cookie is re-issued');
      const expires = cookie.attributes.expires;
      assert.equal(typeof expires, 'string', 'persistent cookie');
      // Expires is whole seconds, floored from now + Max-Age: never after the cap.
      assert.ok(new Date(expires as string).getTime() <= lateCap, `cookie expiry ${String(expires)} does not pass the cap`);
      assert.ok(Number(cookie.attributes['max-age']) <= 2, `Max-Age ${String(cookie.attributes['max-age'])}`);

      // Admin extend (default earliest_possible_extend: always allowed) stays at the cap.
      const ext = await extend(t, s.session.id);
      assert.equal(ext.statusCode, 200);
      assert.equal(new Date(ext.json().expires_at).getTime(), cap);
      assert.equal((await t.app.registry.persister.sessions.getSession(s.session.id))?.expiresAt.getTime(), cap);

      // A refresh login re-authenticates: the cap counts from the new authenticated_at, never past it.
      const r = await seedSession(t, identity);
      const again = await seedSession(t, identity, { refresh: r.session });
      assert.equal(again.session.expiresAt.getTime(), again.session.authenticatedAt.getTime() + 1500);

      const logoutURL = pathOf((await logoutFlow(t, { cookie: s.cookie })).logout_url);
      await sleep(Math.max(0, cap - Date.now()) + 1600);

      assert.equal((await whoami(t, { cookie: s.cookie })).statusCode, 401);
      assert.equal((await whoami(t, { 'x-session-token': late.token })).statusCode, 401, 'refused although its stored expiry is an hour away');
      assert.equal((await pub(t, 'GET', '/sessions', { 'x-session-token': late.token })).statusCode, 401);
      const lo = await pub(t, 'GET', logoutURL, { cookie: s.cookie, ...JSONREQ });
      assert.equal(lo.statusCode, 401, lo.body);
      assert.equal((await nativeLogout(t, late.token)).statusCode, 204);
      assert.deepEqual(heard.events, [], 'ending a session already past its lifetime is no event');

      const ext2 = await extend(t, s.session.id);
      assert.equal(ext2.statusCode, 200);
      assert.equal(ext2.json().active, false);
      assert.equal(new Date(ext2.json().expires_at).getTime(), cap);
      assert.equal((await adm(t, 'GET', `/admin/sessions/${late.session.id}`)).json().active, false);
      const active = await adm(t, 'GET', `/admin/identities/${identity.id}/sessions?active=true`);
      assert.deepEqual(ids(active), []);
    } finally {
      heard.off();
    }
  });
});

describe('session limits: configuration', () => {
  test('both limits are off by default; the granularity defaults to 1m', async () => {
    const t = await startApp({});
    try {
      assert.equal(t.config.sessionInactivityTimeoutMs, 0);
      assert.equal(t.config.sessionMaxLifetimeMs, 0);
      assert.equal(t.config.sessionActivityGranularityMs, 60_000);
    } finally {
      await t.close();
    }
  });
});
