import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { seedIdentity, seedLogin, seedSession, type SeededSession } from '../helpers/seed.js';
import type { Identity } from '../../src/identity/types.js';
import type { SessionRevokedEvent } from '../../src/session/manager.js';
import { BROWSER, JSONREQ, get, logoutFlow, pathOf } from '../selfservice/logout/helpers.js';
import { adm, pub, whoami } from './util.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const json = (t: TestApp, server: 'public' | 'admin', method: 'PUT' | 'PATCH' | 'DELETE', url: string, body: unknown): Promise<LightMyRequestResponse> =>
  t.app[server].inject({ method, url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });

const nativeLogout = (t: TestApp, token: string) => json(t, 'public', 'DELETE', '/self-service/logout/api', { session_token: token });
const patchState = (t: TestApp, id: string, state: string) => json(t, 'admin', 'PATCH', `/admin/identities/${id}`, [{ op: 'replace', path: '/state', value: state }]);

forEachBackend('session.revoked for every way a session ends', (backend) => {
  let t: TestApp;
  let events: SessionRevokedEvent[] = [];
  let unsubscribe: () => void;
  before(async () => {
    t = await startApp({ backend });
    unsubscribe = t.app.registry.sessions.onRevoked((e) => {
      events.push(e);
    });
  });
  after(async () => {
    unsubscribe();
    await t.close();
  });
  beforeEach(() => {
    events = [];
  });

  /** Runs one request and checks it produced exactly one notification with these facts. */
  async function expectOne(
    run: () => Promise<LightMyRequestResponse>,
    status: number,
    want: { identity: Identity; sessions: SeededSession[]; reason: string; initiator: 'user' | 'admin' },
  ): Promise<SessionRevokedEvent> {
    events = [];
    const res = await run();
    assert.equal(res.statusCode, status, res.body);
    assert.equal(events.length, 1, JSON.stringify(events));
    const [e] = events;
    assert.equal(e.type, 'session.revoked');
    assert.equal(e.identityId, want.identity.id);
    assert.deepEqual([...e.sessionIds].sort(), want.sessions.map((s) => s.session.id).sort());
    assert.equal(e.reason, want.reason);
    assert.equal(e.initiator, want.initiator);
    assert.match(e.causeId, UUID);
    assert.ok(e.occurredAt instanceof Date && Math.abs(e.occurredAt.getTime() - Date.now()) < 60_000);
    assert.ok(Object.isFrozen(e) && Object.isFrozen(e.sessionIds));
    return e;
  }

  /** Runs a request and checks it produced no notification. */
  async function expectNone(run: () => Promise<LightMyRequestResponse>, status: number): Promise<void> {
    events = [];
    const res = await run();
    assert.equal(res.statusCode, status, res.body);
    assert.deepEqual(events, []);
  }

  /** A session whose stored expiry has passed while its flag is still active. */
  async function expiredSession(identity: Identity): Promise<SeededSession> {
    const s = await seedSession(t, identity);
    await t.app.registry.persister.sessions.updateSession({ ...s.session, expiresAt: new Date(Date.now() - 1000) });
    return s;
  }

  describe('the three logouts', () => {
    test('browser GET /self-service/logout?token=: self_service_logout by the user; a repeat ends nothing', async () => {
      const s = await seedLogin(t);
      const url = pathOf((await logoutFlow(t, { cookie: s.cookie })).logout_url);
      await expectOne(() => get(t, url, { cookie: s.cookie, accept: BROWSER }), 303, { identity: s.identity, sessions: [s], reason: 'self_service_logout', initiator: 'user' });
      await expectNone(() => get(t, url, { cookie: s.cookie, accept: BROWSER }), 303);
    });

    test('SPA (JSON) logout with the cookie and with a bearer token: self_service_logout; a repeat is a 401 and ends nothing', async () => {
      const a = await seedLogin(t);
      const urlA = pathOf((await logoutFlow(t, { cookie: a.cookie })).logout_url);
      await expectOne(() => get(t, urlA, { cookie: a.cookie, ...JSONREQ }), 204, { identity: a.identity, sessions: [a], reason: 'self_service_logout', initiator: 'user' });
      await expectNone(() => get(t, urlA, { cookie: a.cookie, ...JSONREQ }), 401);
      const b = await seedLogin(t);
      const urlB = pathOf((await logoutFlow(t, { cookie: b.cookie })).logout_url);
      await expectOne(() => get(t, urlB, { authorization: `Bearer ${b.token}`, ...JSONREQ }), 204, {
        identity: b.identity,
        sessions: [b],
        reason: 'self_service_logout',
        initiator: 'user',
      });
    });

    test('DELETE /self-service/logout/api: self_service_logout; a repeat, an expired session and an unknown token end nothing', async () => {
      const s = await seedLogin(t);
      await expectOne(() => nativeLogout(t, s.token), 204, { identity: s.identity, sessions: [s], reason: 'self_service_logout', initiator: 'user' });
      await expectNone(() => nativeLogout(t, s.token), 204);
      const old = await expiredSession(s.identity);
      await expectNone(() => nativeLogout(t, old.token), 204);
      await expectNone(() => nativeLogout(t, `ory_st_${'x'.repeat(32)}`), 403);
    });
  });

  test('50 concurrent logouts of one session (API and browser): exactly one notification', async () => {
    const s = await seedLogin(t);
    events = [];
    const api = await Promise.all(Array.from({ length: 50 }, () => nativeLogout(t, s.token)));
    assert.ok(api.every((r) => r.statusCode === 204));
    assert.equal(events.length, 1);
    const b = await seedLogin(t);
    const url = pathOf((await logoutFlow(t, { cookie: b.cookie })).logout_url);
    events = [];
    const browser = await Promise.all(Array.from({ length: 50 }, () => get(t, url, { cookie: b.cookie, ...JSONREQ })));
    assert.ok(browser.every((r) => r.statusCode === 204 || r.statusCode === 401));
    assert.deepEqual(events.map((e) => e.sessionIds), [[b.session.id]]);
  });

  describe('self-service revocation', () => {
    test('DELETE /sessions/{id}: self_service_revoke of that session only; a repeat and a stranger\'s session end nothing', async () => {
      const me = await seedLogin(t);
      const other = await seedSession(t, me.identity);
      await expectOne(() => pub(t, 'DELETE', `/sessions/${other.session.id}`, { cookie: me.cookie }), 204, {
        identity: me.identity,
        sessions: [other],
        reason: 'self_service_revoke',
        initiator: 'user',
      });
      await expectNone(() => pub(t, 'DELETE', `/sessions/${other.session.id}`, { cookie: me.cookie }), 204);
      const stranger = await seedLogin(t);
      await expectNone(() => pub(t, 'DELETE', `/sessions/${stranger.session.id}`, { cookie: me.cookie }), 204);
      assert.equal((await whoami(t, { cookie: stranger.cookie })).statusCode, 200);
    });

    test('DELETE /sessions: one self_service_revoke_others naming every other live session; the count is unchanged', async () => {
      const me = await seedLogin(t);
      const b = await seedSession(t, me.identity);
      const c = await seedSession(t, me.identity);
      const revoked = await seedSession(t, me.identity);
      await pub(t, 'DELETE', `/sessions/${revoked.session.id}`, { cookie: me.cookie });
      // Still flagged active, so the store flips it and Kratos's count includes it; it had already ended, so no event names it.
      await expiredSession(me.identity);
      const e = await expectOne(() => pub(t, 'DELETE', '/sessions', { cookie: me.cookie }), 200, {
        identity: me.identity,
        sessions: [b, c],
        reason: 'self_service_revoke_others',
        initiator: 'user',
      });
      events = [];
      const again = await pub(t, 'DELETE', '/sessions', { cookie: me.cookie });
      assert.equal(again.body, '{"count":0}\n');
      assert.deepEqual(events, []);
      assert.equal((await whoami(t, { cookie: me.cookie })).statusCode, 200);
      assert.notEqual(e.causeId, (await expectOne(() => nativeLogout(t, me.token), 204, { identity: me.identity, sessions: [me], reason: 'self_service_logout', initiator: 'user' })).causeId);
    });

    test('DELETE /sessions answers the same count as before (the expired-but-flagged session included)', async () => {
      const me = await seedLogin(t);
      await seedSession(t, me.identity);
      await expiredSession(me.identity);
      const res = await pub(t, 'DELETE', '/sessions', { cookie: me.cookie });
      assert.equal(res.body, '{"count":2}\n');
    });
  });

  describe('admin revocation', () => {
    test('DELETE /admin/sessions/{id}: admin_disable_session by the admin; a repeat and an unknown id end nothing', async () => {
      const s = await seedLogin(t);
      await expectOne(() => adm(t, 'DELETE', `/admin/sessions/${s.session.id}`), 204, { identity: s.identity, sessions: [s], reason: 'admin_disable_session', initiator: 'admin' });
      await expectNone(() => adm(t, 'DELETE', `/admin/sessions/${s.session.id}`), 204);
      await expectNone(() => adm(t, 'DELETE', `/admin/sessions/${crypto.randomUUID()}`), 404);
    });

    test('DELETE /admin/identities/{id}/sessions: admin_delete_identity_sessions naming the live ones; a repeat is a 404 and ends nothing', async () => {
      const a = await seedLogin(t);
      const b = await seedSession(t, a.identity);
      const revoked = await seedSession(t, a.identity);
      await adm(t, 'DELETE', `/admin/sessions/${revoked.session.id}`);
      await expiredSession(a.identity);
      await expectOne(() => adm(t, 'DELETE', `/admin/identities/${a.identity.id}/sessions`), 204, {
        identity: a.identity,
        sessions: [a, b],
        reason: 'admin_delete_identity_sessions',
        initiator: 'admin',
      });
      await expectNone(() => adm(t, 'DELETE', `/admin/identities/${a.identity.id}/sessions`), 404);
    });

    test('DELETE /admin/identities/{id}: identity_deleted naming its live sessions; an identity without any ends nothing', async () => {
      const a = await seedLogin(t);
      const b = await seedSession(t, a.identity);
      const revoked = await seedSession(t, a.identity);
      await nativeLogout(t, revoked.token);
      await expectOne(() => adm(t, 'DELETE', `/admin/identities/${a.identity.id}`), 204, { identity: a.identity, sessions: [a, b], reason: 'identity_deleted', initiator: 'admin' });
      await expectNone(() => adm(t, 'DELETE', `/admin/identities/${a.identity.id}`), 404);
      const lonely = await seedIdentity(t);
      await expectNone(() => adm(t, 'DELETE', `/admin/identities/${lonely.id}`), 204);
    });
  });

  describe('identity disable', () => {
    test('PATCH state inactive: identity_disabled; re-activation revives nothing and ends nothing', async () => {
      const a = await seedLogin(t);
      const b = await seedSession(t, a.identity);
      await expectOne(() => patchState(t, a.identity.id, 'inactive'), 200, { identity: a.identity, sessions: [a, b], reason: 'identity_disabled', initiator: 'admin' });
      await expectNone(() => patchState(t, a.identity.id, 'inactive'), 200);
      await expectNone(() => patchState(t, a.identity.id, 'active'), 200);
      for (const s of [a, b]) {
        assert.equal((await whoami(t, { 'x-session-token': s.token })).statusCode, 401);
        assert.equal((await adm(t, 'GET', `/admin/sessions/${s.session.id}`)).json().active, false);
      }
      // A session created after re-activation is a new, live one.
      const fresh = await seedSession(t, a.identity);
      assert.equal((await whoami(t, { 'x-session-token': fresh.token })).statusCode, 200);
    });

    test('PUT with state inactive: identity_disabled; a PUT that changes only traits ends nothing', async () => {
      const a = await seedLogin(t);
      const body = (state: string) => ({ schema_id: a.identity.schemaId, traits: a.identity.traits, state });
      await expectNone(() => json(t, 'admin', 'PUT', `/admin/identities/${a.identity.id}`, body('active')), 200);
      await expectOne(() => json(t, 'admin', 'PUT', `/admin/identities/${a.identity.id}`, body('inactive')), 200, {
        identity: a.identity,
        sessions: [a],
        reason: 'identity_disabled',
        initiator: 'admin',
      });
      await expectNone(() => json(t, 'admin', 'PUT', `/admin/identities/${a.identity.id}`, body('active')), 200);
      assert.equal((await whoami(t, { cookie: a.cookie })).statusCode, 401);
    });
  });

  describe('listeners', () => {
    test('a throwing or rejecting listener does not change the response, and the others still hear the event', async () => {
      const heard: string[] = [];
      const offThrow = t.app.registry.sessions.onRevoked(() => {
        throw new Error('listener bug');
      });
      const offReject = t.app.registry.sessions.onRevoked(async () => {
        throw new Error('async listener bug');
      });
      const offHear = t.app.registry.sessions.onRevoked((e) => {
        heard.push(...e.sessionIds);
      });
      try {
        const s = await seedLogin(t);
        await expectOne(() => nativeLogout(t, s.token), 204, { identity: s.identity, sessions: [s], reason: 'self_service_logout', initiator: 'user' });
        assert.deepEqual(heard, [s.session.id]);
      } finally {
        offThrow();
        offReject();
        offHear();
      }
      // Unsubscribed: no longer called.
      const s2 = await seedLogin(t);
      await expectOne(() => nativeLogout(t, s2.token), 204, { identity: s2.identity, sessions: [s2], reason: 'self_service_logout', initiator: 'user' });
      assert.equal(heard.length, 1);
    });
  });
});
