import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { seedLogin, seedSession } from '../helpers/seed.js';

// The outbox's storage contract (hooks-and-session-events-spec §C.4.3): nothing written without
// receivers; with receivers, the events are part of the revocation (same store call, same transaction).

/** Raw SQL on the app's own database (inspecting tables, as Part D 55 allows). */
async function sql(t: TestApp, text: string): Promise<any[]> {
  const p = t.app.registry.persister as any;
  if (p.dialect === 'sqlite') return text.trim().toUpperCase().startsWith('SELECT') ? p.db.prepare(text).all() : (p.db.exec(text), []);
  return (await p.pool.query(text)).rows;
}
const count = async (t: TestApp, table: string) => Number((await sql(t, `SELECT count(*) AS n FROM ${table}`))[0].n);

const apiLogout = (t: TestApp, token: string) =>
  t.app.public.inject({ method: 'DELETE', url: '/self-service/logout/api', headers: { 'content-type': 'application/json' }, payload: { session_token: token } });
const whoami = (t: TestApp, token: string) => t.app.public.inject({ method: 'GET', url: '/sessions/whoami', headers: { 'x-session-token': token } });

// Receivers on a port nobody listens on: these tests look at rows, not at delivery (poll rarely).
const RECEIVERS = {
  porta: {
    session_events: {
      receivers: [
        { id: 'a', url: 'http://127.0.0.1:9/a' },
        { id: 'b', url: 'http://127.0.0.1:9/b', reasons: ['self_service_logout'] },
        { id: 'c', url: 'http://127.0.0.1:9/c', reasons: ['identity_deleted'] },
      ],
      delivery: { initial_interval: '10m', poll_interval: '10m' },
    },
  },
};

/** Records the session-store calls of the app (the figures pinned by logout/storage.test.ts). */
function recordCalls(t: TestApp): string[] {
  const calls: string[] = [];
  const store = t.app.registry.persister.sessions as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ['getSessionByTokenHash', 'revokeSessionByTokenHash', 'revokeSessionById', 'getSession']) {
    const original = store[name];
    store[name] = (...args: unknown[]) => {
      calls.push(name);
      return original.apply(store, args);
    };
  }
  return calls;
}

forEachBackend('session-event outbox storage', (backend) => {
  describe('no receivers configured', () => {
    let t: TestApp;
    before(async () => (t = await startApp({ backend })));
    after(async () => t.close());

    test('a logout writes no event and no delivery; the admin list is empty (55)', async () => {
      const s = await seedLogin(t);
      assert.equal((await apiLogout(t, s.token)).statusCode, 204);
      assert.equal(await count(t, 'porta_session_events'), 0);
      assert.equal(await count(t, 'porta_session_event_deliveries'), 0);
      const list = await t.app.admin.inject({ method: 'GET', url: '/admin/porta/session-events/deliveries' });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(list.json(), []);
    });
  });

  describe('receivers configured', () => {
    let t: TestApp;
    before(async () => (t = await startApp({ backend, config: RECEIVERS })));
    after(async () => t.close());

    test('an API logout: still the one revoking store call; one event, one delivery per matching receiver', async () => {
      const s = await seedLogin(t);
      const calls = recordCalls(t);
      assert.equal((await apiLogout(t, s.token)).statusCode, 204);
      assert.deepEqual(calls, ['revokeSessionByTokenHash'], 'the same single store call as without receivers');
      const events = await sql(t, `SELECT id, reason, initiator FROM porta_session_events WHERE session_id = '${s.session.id}'`);
      assert.equal(events.length, 1);
      assert.deepEqual([events[0].reason, events[0].initiator], ['self_service_logout', 'user']);
      const deliveries = await sql(t, `SELECT receiver_id, state, attempts FROM porta_session_event_deliveries WHERE event_id = '${events[0].id}' ORDER BY receiver_id`);
      assert.deepEqual(
        deliveries.map((d) => [d.receiver_id, d.state]),
        [
          ['a', 'pending'],
          ['b', 'pending'],
        ],
      );
      // A second logout of the same token ended nothing and writes nothing.
      assert.equal((await apiLogout(t, s.token)).statusCode, 204);
      assert.equal((await sql(t, `SELECT id FROM porta_session_events WHERE session_id = '${s.session.id}'`)).length, 1);
    });

    test('a session that had already expired produces no event when its rows are deleted (54)', async () => {
      const s = await seedLogin(t);
      await t.app.registry.persister.sessions.updateSession({ ...s.session, expiresAt: new Date(Date.now() - 1000) });
      const res = await t.app.admin.inject({ method: 'DELETE', url: `/admin/identities/${s.identity.id}/sessions` });
      assert.equal(res.statusCode, 204);
      assert.equal((await sql(t, `SELECT id FROM porta_session_events WHERE identity_id = '${s.identity.id}'`)).length, 0);
    });
  });

  describe('receivers with session limits on', () => {
    let t: TestApp;
    const config = { porta: { ...RECEIVERS.porta, session: { inactivity_timeout: '1h', max_lifetime: '1h' } } };
    before(async () => (t = await startApp({ backend, config })));
    after(async () => t.close());

    /** Ends every session of the identity as an operator would, and returns the session ids that got an event. */
    async function revokeAllAndListEvents(identityId: string): Promise<string[]> {
      const res = await t.app.admin.inject({ method: 'DELETE', url: `/admin/identities/${identityId}/sessions` });
      assert.equal(res.statusCode, 204);
      const rows = await sql(t, `SELECT session_id FROM porta_session_events WHERE identity_id = '${identityId}'`);
      return rows.map((r) => r.session_id);
    }

    test('a session already over by inactivity produces no event; a live one of the same identity does', async () => {
      const idle = await seedLogin(t);
      const live = await seedSession(t, idle.identity);
      const twoHoursAgo = Date.now() - 2 * 3600_000;
      const set =
        (t.app.registry.persister as any).dialect === 'sqlite'
          ? `UPDATE sessions SET last_active_at = ${twoHoursAgo} WHERE id = '${idle.session.id}'`
          : `UPDATE sessions SET last_active_at = to_timestamp(${twoHoursAgo / 1000}) WHERE id = '${idle.session.id}'`;
      await sql(t, set);
      assert.equal((await whoami(t, idle.token)).statusCode, 401, 'the idle session is already refused');
      assert.deepEqual(await revokeAllAndListEvents(idle.identity.id), [live.session.id]);
    });

    test('a session past max_lifetime produces no event; a live one of the same identity does', async () => {
      const old = await seedLogin(t);
      const live = await seedSession(t, old.identity);
      await t.app.registry.persister.sessions.updateSession({ ...old.session, authenticatedAt: new Date(Date.now() - 2 * 3600_000) });
      assert.equal((await whoami(t, old.token)).statusCode, 401, 'the capped session is already refused');
      assert.deepEqual(await revokeAllAndListEvents(old.identity.id), [live.session.id]);
    });
  });

  describe('cleanup', () => {
    let t: TestApp;
    before(async () => (t = await startApp({ backend, config: RECEIVERS })));
    after(async () => t.close());

    test('porta cleanup sql deletes an event only once all its deliveries are final', async () => {
      const store = t.app.registry.persister.sessionEvents;
      const [done, open] = [await seedLogin(t), await seedLogin(t)];
      for (const s of [done, open]) assert.equal((await apiLogout(t, s.token)).statusCode, 204);
      const rows = await sql(t, 'SELECT d.id, e.session_id FROM porta_session_event_deliveries d JOIN porta_session_events e ON e.id = d.event_id');
      const now = new Date();
      for (const r of rows) if (r.session_id === done.session.id) await store.finish(r.id, { state: 'delivered', status: 200 }, now);
      const one = rows.find((r) => r.session_id === open.session.id);
      await store.finish(one.id, { state: 'failed', status: 400, error: 'x' }, now);
      assert.equal(await store.deleteFinishedEvents(new Date(Date.now() - 3600_000), 100), 0, '--keep-last keeps recent events');
      assert.equal(await store.deleteFinishedEvents(new Date(Date.now() + 1000), 100), 1);
      const left = await sql(t, 'SELECT session_id FROM porta_session_events');
      assert.deepEqual(
        left.map((r) => r.session_id),
        [open.session.id],
      );
      assert.equal(await count(t, 'porta_session_event_deliveries'), 2, 'deliveries go with their event');
    });
  });

  describe('atomicity', () => {
    let t: TestApp;
    before(async () => (t = await startApp({ backend, config: RECEIVERS })));
    after(async () => t.close());

    test('when the event cannot be written, the revocation is rolled back: the session stays active', async () => {
      const s = await seedLogin(t);
      await sql(t, 'DROP TABLE porta_session_event_deliveries');
      const out = await apiLogout(t, s.token);
      assert.equal(out.statusCode, 500);
      assert.equal((await whoami(t, s.token)).statusCode, 200, 'no event, no revocation');
      assert.equal(await count(t, 'porta_session_events'), 0);
    });
  });
});
