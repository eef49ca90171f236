import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { seedIdentity, seedSession } from '../helpers/seed.js';
import type { SessionRevokedEvent } from '../../src/session/manager.js';

/*
 * An operator setting a new password, or changing credentials, through the admin API ends the identity's
 * sessions through the one revoke path (reason admin_credential_change, initiator admin); Kratos keeps
 * them. Other admin updates end nothing.
 */

const BCRYPT = '$2y$04$oAAGKuv70hCf9tqyXRmOV.yYirDmnCEPJJXTxyGEppscE4Qib8JQy';

const send = (t: TestApp, method: 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse> =>
  t.app.admin.inject({ method, url, headers: body === undefined ? {} : { 'content-type': 'application/json' }, payload: body === undefined ? undefined : JSON.stringify(body) });
const whoami = (t: TestApp, token: string) => t.app.public.inject({ method: 'GET', url: '/sessions/whoami', headers: { 'x-session-token': token } });

forEachBackend('admin credential changes revoke the identity sessions', (backend) => {
  let t: TestApp;
  let events: SessionRevokedEvent[] = [];
  let off: () => void;
  before(async () => {
    t = await startApp({ backend });
    off = t.app.registry.sessions.onRevoked((e) => {
      events.push(e);
    });
  });
  after(async () => {
    off();
    await t.close();
  });
  beforeEach(() => {
    events = [];
  });

  /** An identity with a password and two live sessions (plus one already revoked, which must not be named). */
  async function setup() {
    const identity = await seedIdentity(t, { hashedPassword: BCRYPT });
    const a = await seedSession(t, identity);
    const b = await seedSession(t, identity);
    const gone = await seedSession(t, identity);
    await t.app.registry.sessions.revokeSession(gone.session.id, 'admin_disable_session');
    events = [];
    return { identity, a, b };
  }

  function assertRevoked(ids: string[], identityId: string) {
    assert.equal(events.length, 1, JSON.stringify(events));
    const [e] = events;
    assert.equal(e.reason, 'admin_credential_change');
    assert.equal(e.initiator, 'admin');
    assert.equal(e.identityId, identityId);
    assert.deepEqual([...e.sessionIds].sort(), [...ids].sort());
  }

  test('updates that leave the credentials alone end nothing; a PUT with a new password ends every active session', async () => {
    const { identity, a, b } = await setup();
    // Traits (so the password identifiers follow), metadata, and a PATCH writing the same hash: no credential change.
    const email = `changed-${Date.now()}@example.org`;
    const traits = { ...identity.traits, email };
    const put = await send(t, 'PUT', `/admin/identities/${identity.id}`, { schema_id: identity.schemaId, traits, metadata_public: { a: 1 } });
    assert.equal(put.statusCode, 200, put.body);
    const same = await send(t, 'PATCH', `/admin/identities/${identity.id}`, [{ op: 'replace', path: '/credentials/password/config/hashed_password', value: BCRYPT }]);
    assert.equal(same.statusCode, 200, same.body);
    // Removing the password (the last first factor) is refused, so it ends nothing either.
    assert.equal((await send(t, 'DELETE', `/admin/identities/${identity.id}/credentials/password`)).statusCode, 400);
    assert.deepEqual(events, []);
    assert.equal((await whoami(t, a.token)).statusCode, 200);

    const body = { schema_id: identity.schemaId, traits, credentials: { password: { config: { password: 'a-new-password-91' } } } };
    const res = await send(t, 'PUT', `/admin/identities/${identity.id}`, body);
    assert.equal(res.statusCode, 200, res.body);
    assertRevoked([a.session.id, b.session.id], identity.id);
    assert.equal((await whoami(t, a.token)).statusCode, 401);
    assert.equal((await whoami(t, b.token)).statusCode, 401);
    const fresh = await seedSession(t, identity);
    assert.equal((await whoami(t, fresh.token)).statusCode, 200);
  });

  test('PUT with an imported hash, and PATCH of hashed_password, each end the sessions; with a disable it is one identity_disabled', async () => {
    const { identity, a, b } = await setup();
    const other = '$2y$04$K1YyCff9dlqF8e6J0KfbvO7Fg03jYD3WsaQ05.ek7GFgW78Euq.Mm';
    const put = await send(t, 'PUT', `/admin/identities/${identity.id}`, {
      schema_id: identity.schemaId,
      traits: identity.traits,
      credentials: { password: { config: { hashed_password: other } } },
    });
    assert.equal(put.statusCode, 200, put.body);
    assertRevoked([a.session.id, b.session.id], identity.id);

    events = [];
    const c = await seedSession(t, identity);
    const patch = await send(t, 'PATCH', `/admin/identities/${identity.id}`, [{ op: 'replace', path: '/credentials/password/config/hashed_password', value: BCRYPT }]);
    assert.equal(patch.statusCode, 200, patch.body);
    assertRevoked([c.session.id], identity.id);
    assert.equal((await whoami(t, c.token)).statusCode, 401);

    events = [];
    const d = await seedSession(t, identity);
    const both = { schema_id: identity.schemaId, traits: identity.traits, state: 'inactive', credentials: { password: { config: { password: 'a-new-password-92' } } } };
    assert.equal((await send(t, 'PUT', `/admin/identities/${identity.id}`, both)).statusCode, 200);
    assert.equal(events.length, 1);
    assert.equal(events[0].reason, 'identity_disabled');
    assert.deepEqual([...events[0].sessionIds], [d.session.id]);
  });
});
