import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { seedSession } from '../helpers/seed.js';
import type { Identity } from '../../src/identity/types.js';
import { adm, pub, whoami, WHOAMI_401 } from './util.js';

/** Creates an identity through the admin API, as an operator would. */
async function createIdentity(t: TestApp, email: string, password: string): Promise<Identity> {
  const res = await t.app.admin.inject({
    method: 'POST',
    url: '/admin/identities',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ schema_id: 'default', traits: { email, website: 'https://www.example.org/' }, credentials: { password: { config: { password } } } }),
  });
  assert.equal(res.statusCode, 201, res.body);
  const identity = await t.app.registry.persister.identities.getIdentity(res.json().id);
  assert.ok(identity);
  return identity;
}

/** A native (API) password login: the session token comes back in the body. */
async function apiLogin(t: TestApp, identifier: string, password: string): Promise<{ token: string; sessionId: string }> {
  const init = await pub(t, 'GET', '/self-service/login/api');
  assert.equal(init.statusCode, 200, init.body);
  const res = await t.app.public.inject({
    method: 'POST',
    url: `/self-service/login?flow=${init.json().id}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    payload: JSON.stringify({ method: 'password', identifier, password }),
  });
  assert.equal(res.statusCode, 200, res.body);
  return { token: res.json().session_token, sessionId: res.json().session.id };
}

const patchState = (t: TestApp, id: string, state: string) =>
  t.app.admin.inject({
    method: 'PATCH',
    url: `/admin/identities/${id}`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify([{ op: 'replace', path: '/state', value: state }]),
  });

forEachBackend('sessions across the identity lifecycle', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(() => t.close());

  test('a session from a real API login: token format, accepted by whoami with its token and by nothing else', async () => {
    const email = `life-${Date.now()}@example.org`;
    const identity = await createIdentity(t, email, 'a long passphrase 4 tests');
    const { token, sessionId } = await apiLogin(t, email, 'a long passphrase 4 tests');
    assert.match(token, /^ory_st_[A-Za-z0-9]{32}$/);
    for (const h of [{ 'x-session-token': token }, { authorization: `Bearer ${token}` }]) {
      const res = await whoami(t, h);
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().id, sessionId);
      assert.equal(res.json().identity.id, identity.id);
    }
    for (const h of [{ 'x-session-token': sessionId }, { 'x-session-token': identity.id }, { cookie: `ory_kratos_session=${token}` }]) {
      assert.equal((await whoami(t, h)).statusCode, 401);
    }
    // A second login gets a different token and a different session (no fixation, no reuse).
    const second = await apiLogin(t, email, 'a long passphrase 4 tests');
    assert.notEqual(second.token, token);
    assert.notEqual(second.sessionId, sessionId);
  });

  test('disabling the identity through the admin API ends its sessions for every reader at once', async () => {
    const identity = await createIdentity(t, `off-${Date.now()}@example.org`, 'another long passphrase');
    const a = await seedSession(t, identity);
    const b = await seedSession(t, identity);
    assert.equal((await patchState(t, identity.id, 'inactive')).statusCode, 200);
    for (const h of [{ cookie: a.cookie }, { 'x-session-token': b.token }, { authorization: `Bearer ${a.token}` }]) {
      const res = await whoami(t, h);
      assert.equal(res.statusCode, 401);
      assert.equal(res.body, WHOAMI_401);
    }
    assert.equal((await pub(t, 'GET', '/sessions', { cookie: a.cookie })).statusCode, 401);
    assert.equal((await pub(t, 'DELETE', '/sessions', { cookie: a.cookie })).statusCode, 401);
    assert.equal((await adm(t, 'GET', `/admin/sessions/${a.session.id}`)).json().active, false);
    // Porta revokes them (the contract's difference from Kratos, ory/kratos#1811): re-activation does not revive them.
    assert.equal((await patchState(t, identity.id, 'active')).statusCode, 200);
    for (const h of [{ cookie: a.cookie }, { 'x-session-token': b.token }]) assert.equal((await whoami(t, h)).statusCode, 401);
    assert.equal((await adm(t, 'GET', `/admin/sessions/${b.session.id}`)).json().active, false);
  });

  test('deleting the identity through the admin API removes its sessions for every reader at once', async () => {
    const identity = await createIdentity(t, `gone-${Date.now()}@example.org`, 'yet another passphrase');
    const a = await seedSession(t, identity);
    const del = await adm(t, 'DELETE', `/admin/identities/${identity.id}`);
    assert.equal(del.statusCode, 204);
    assert.equal((await whoami(t, { cookie: a.cookie })).statusCode, 401);
    assert.equal((await whoami(t, { 'x-session-token': a.token })).statusCode, 401);
    assert.equal((await adm(t, 'GET', `/admin/sessions/${a.session.id}`)).statusCode, 404);
    const list = await adm(t, 'GET', `/admin/identities/${identity.id}/sessions`);
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json(), []);
    assert.equal((await adm(t, 'DELETE', `/admin/identities/${identity.id}/sessions`)).statusCode, 404);
  });
});
