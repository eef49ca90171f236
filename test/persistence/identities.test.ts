import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { forEachBackend } from '../helpers/harness.js';
import { DuplicateCredentialsError } from '../../src/identity/store.js';
import type { Persister } from '../../src/persistence/types.js';
import { PortaError } from '../../src/http/errors.js';
import { at, makeIdentity, makeSession, openBackend, tokenHash, type Opened } from './fixtures.js';

forEachBackend('persistence: identities', (backend) => {
  let o: Opened;
  let p: Persister;
  before(async () => {
    o = await openBackend(backend);
    p = o.persister;
  });
  after(() => o.close());

  test('create then get round-trips every field, credentials included', async () => {
    const i = makeIdentity({ metadataPublic: { plan: 'pro', z: 1, a: [1, 2] }, metadataAdmin: 'note', externalId: `ext-${randomUUID()}`, organizationId: null });
    await p.identities.createIdentity(i);
    const got = await p.identities.getIdentity(i.id);
    assert.deepEqual(got, i);
    // key order of traits is kept (json, not jsonb)
    assert.deepEqual(Object.keys(got!.traits.name as object), ['last', 'first']);
  });

  test('getIdentity of an unknown or malformed id is null', async () => {
    assert.equal(await p.identities.getIdentity(randomUUID()), null);
    assert.equal(await p.identities.getIdentity('not-a-uuid'), null);
  });

  test('findIdentityByCredentialIdentifier matches type and exact identifier', async () => {
    const i = makeIdentity();
    await p.identities.createIdentity(i);
    const email = i.credentials.password.identifiers[0];
    assert.equal((await p.identities.findIdentityByCredentialIdentifier('password', email))?.id, i.id);
    assert.equal(await p.identities.findIdentityByCredentialIdentifier('password', email.toUpperCase()), null);
    assert.equal(await p.identities.findIdentityByCredentialIdentifier('totp', email), null);
  });

  test('findIdentityByExternalId matches the exact external_id, with credentials', async () => {
    const ext = `ext-${randomUUID()}`;
    const i = makeIdentity({ externalId: ext });
    await p.identities.createIdentity(i);
    const found = await p.identities.findIdentityByExternalId(ext);
    assert.equal(found?.id, i.id);
    assert.deepEqual(Object.keys(found?.credentials ?? {}), Object.keys(i.credentials));
    assert.equal(await p.identities.findIdentityByExternalId(ext.toUpperCase()), null);
    assert.equal(await p.identities.findIdentityByExternalId('no-such-external-id'), null);
  });

  test('a taken identifier or external_id throws DuplicateCredentialsError and writes nothing', async () => {
    const a = makeIdentity({ externalId: `ext-${randomUUID()}` });
    await p.identities.createIdentity(a);
    const before = await p.identities.countIdentities();
    const dupIdentifier = makeIdentity({}, a.credentials.password.identifiers[0]);
    await assert.rejects(p.identities.createIdentity(dupIdentifier), DuplicateCredentialsError);
    await assert.rejects(p.identities.createIdentity(makeIdentity({ externalId: a.externalId })), DuplicateCredentialsError);
    assert.equal(await p.identities.countIdentities(), before);
    assert.equal(await p.identities.getIdentity(dupIdentifier.id), null);
  });

  test('updateIdentity replaces traits, state and credentials; identifiers move with them', async () => {
    const i = makeIdentity();
    await p.identities.createIdentity(i);
    const oldEmail = i.credentials.password.identifiers[0];
    const newEmail = `new-${oldEmail}`;
    const updated = {
      ...i,
      state: 'inactive' as const,
      traits: { email: newEmail },
      metadataAdmin: { x: true },
      credentials: { password: { ...i.credentials.password, identifiers: [newEmail], config: { hashed_password: 'h2' }, version: 1 } },
      updatedAt: at(1000),
    };
    assert.equal(await p.identities.updateIdentity(updated), true);
    assert.deepEqual(await p.identities.getIdentity(i.id), updated);
    assert.equal(await p.identities.findIdentityByCredentialIdentifier('password', oldEmail), null);
    assert.equal((await p.identities.findIdentityByCredentialIdentifier('password', newEmail))?.id, i.id);
    assert.equal(await p.identities.updateIdentity(makeIdentity()), false);
  });

  test('updateIdentity onto another identity identifier throws and keeps the old state', async () => {
    const a = makeIdentity();
    const b = makeIdentity();
    await p.identities.createIdentity(a);
    await p.identities.createIdentity(b);
    const clash = { ...b, traits: { email: 'x' }, credentials: { password: { ...b.credentials.password, identifiers: a.credentials.password.identifiers } } };
    await assert.rejects(p.identities.updateIdentity(clash), DuplicateCredentialsError);
    assert.deepEqual(await p.identities.getIdentity(b.id), b);
  });

  test('NUL in a text field is a 400 on both backends; NUL in traits is kept; NUL lookups find nothing', async () => {
    const bad = makeIdentity({}, 'x\u0000y@example.org');
    await assert.rejects(p.identities.createIdentity(bad), (err: unknown) => err instanceof PortaError && err.code === 400);
    await assert.rejects(p.identities.createIdentity(makeIdentity({ externalId: 'e\u0000' })), (err: unknown) => err instanceof PortaError && err.code === 400);
    assert.equal(await p.identities.getIdentity(bad.id), null);
    const ok = makeIdentity({ traits: { email: 'a\u0000b' } });
    await p.identities.createIdentity(ok);
    assert.deepEqual((await p.identities.getIdentity(ok.id))!.traits, { email: 'a\u0000b' });
    await assert.rejects(p.identities.updateIdentity({ ...ok, externalId: '\u0000' }), (err: unknown) => err instanceof PortaError && err.code === 400);
    assert.equal(await p.identities.findIdentityByCredentialIdentifier('password', 'x\u0000y@example.org'), null);
    assert.deepEqual(await p.identities.listIdentities({ limit: 5, credentialIdentifier: { type: 'password', identifier: '\u0000' } }), []);
  });

  test('updateCredentialConfig changes only that credential config', async () => {
    const i = makeIdentity();
    await p.identities.createIdentity(i);
    await p.identities.updateCredentialConfig(i.id, 'password', { hashed_password: 'upgraded' });
    const got = await p.identities.getIdentity(i.id);
    assert.deepEqual(got!.credentials.password.config, { hashed_password: 'upgraded' });
    assert.deepEqual(got!.credentials.password.identifiers, i.credentials.password.identifiers);
    assert.deepEqual(got!.traits, i.traits);
  });

  test('deleteIdentity removes the identity, its identifiers and its sessions', async () => {
    const i = makeIdentity();
    await p.identities.createIdentity(i);
    const h = tokenHash();
    const s = makeSession(i.id);
    await p.sessions.createSession(s, h);
    assert.equal(await p.identities.deleteIdentity(i.id), true);
    assert.equal(await p.identities.getIdentity(i.id), null);
    assert.equal(await p.sessions.getSessionByTokenHash(h), null);
    assert.equal(await p.sessions.getSession(s.id), null);
    assert.equal(await p.identities.findIdentityByCredentialIdentifier('password', i.credentials.password.identifiers[0]), null);
    assert.equal(await p.identities.deleteIdentity(i.id), false);
    // the identifier is free again
    await p.identities.createIdentity(makeIdentity({}, i.credentials.password.identifiers[0]));
  });

  test('listIdentities: id ASC keyset, offset, ids and credential identifier filters, count', async () => {
    const fresh = await openBackend(backend);
    try {
      const s = fresh.persister.identities;
      const made = Array.from({ length: 7 }, () => makeIdentity());
      for (const i of made) await s.createIdentity(i);
      const ids = made.map((i) => i.id).sort();
      assert.equal(await s.countIdentities(), 7);
      const page1 = await s.listIdentities({ limit: 3 });
      assert.deepEqual(page1.map((i) => i.id), ids.slice(0, 3));
      assert.ok(page1.every((i) => i.credentials.password), 'lists carry credentials');
      const page2 = await s.listIdentities({ limit: 3, afterId: page1[2].id });
      assert.deepEqual(page2.map((i) => i.id), ids.slice(3, 6));
      const page3 = await s.listIdentities({ limit: 3, afterId: page2[2].id });
      assert.deepEqual(page3.map((i) => i.id), ids.slice(6));
      assert.deepEqual((await s.listIdentities({ limit: 2, offset: 4 })).map((i) => i.id), ids.slice(4, 6));
      assert.deepEqual((await s.listIdentities({ limit: 10, ids: [ids[5], ids[1], randomUUID()] })).map((i) => i.id), [ids[1], ids[5]]);
      const target = made[3];
      const byIdent = await s.listIdentities({ limit: 10, credentialIdentifier: { type: 'password', identifier: target.credentials.password.identifiers[0] } });
      assert.deepEqual(byIdent, [target]);
      assert.deepEqual(await s.listIdentities({ limit: 10, credentialIdentifier: { type: 'password', identifier: 'nobody' } }), []);
      await assert.rejects(s.listIdentities({ limit: 10, afterId: 'not-a-uuid' }), (err: unknown) => err instanceof PortaError && err.code === 400);
    } finally {
      await fresh.close();
    }
  });
});
