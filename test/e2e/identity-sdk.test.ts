import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachSpawnBackend, spawnPorta, type PortaProcess } from '../helpers/spawn.js';
import { failureOf, identityApi, PASSWORD, traits, uniqueEmail } from './client.js';

// Issue 2 "Done when": @ory/client's IdentityApi creates, lists, gets, patches and deletes identities
// against a spawned server.
forEachSpawnBackend('IdentityApi against a spawned porta serve', (backend) => {
  let p: PortaProcess;
  before(async () => {
    p = await spawnPorta({ backend });
  });
  after(async () => {
    await p.stop();
  });

  test('create, list, get, patch, delete', async () => {
    const api = identityApi(p.adminURL);
    const email = uniqueEmail('sdk');
    const created = await api.createIdentity({
      createIdentityBody: { schema_id: 'default', traits: traits(email), credentials: { password: { config: { password: PASSWORD } } } },
    });
    assert.equal(created.status, 201);
    const id = created.data.id;
    assert.equal(created.data.schema_id, 'default');
    assert.equal(created.data.state, 'active');
    assert.deepEqual(created.data.traits, traits(email));
    assert.match(created.data.schema_url ?? '', /\/schemas\/ZGVmYXVsdA$/);

    const dup = await failureOf(
      api.createIdentity({ createIdentityBody: { schema_id: 'default', traits: traits(email), credentials: { password: { config: { password: PASSWORD } } } } }),
    );
    assert.equal(dup.status, 409);

    const listed = await api.listIdentities({});
    assert.equal(listed.status, 200);
    assert.ok(listed.data.some((i) => i.id === id), 'the new identity is listed');
    const byIdentifier = await api.listIdentities({ credentialsIdentifier: email });
    assert.deepEqual(
      byIdentifier.data.map((i) => i.id),
      [id],
    );

    const got = await api.getIdentity({ id, includeCredential: ['password'] });
    assert.equal(got.status, 200);
    assert.equal(got.data.id, id);
    assert.deepEqual(got.data.credentials?.password?.identifiers, [email]);
    assert.match(String((got.data.credentials?.password?.config as { hashed_password?: string } | undefined)?.hashed_password), /^\$argon2id\$/, 'include_credential exports the hash as Kratos does');
    assert.equal(JSON.stringify((await api.getIdentity({ id })).data).includes('$argon2'), false, 'without include_credential the hash is not shown');

    const patched = await api.patchIdentity({
      id,
      jsonPatch: [
        { op: 'replace', path: '/traits/website', value: 'https://www.example.org/' },
        { op: 'replace', path: '/state', value: 'inactive' },
      ],
    });
    assert.equal(patched.status, 200);
    assert.equal((patched.data.traits as { website: string }).website, 'https://www.example.org/');
    assert.equal(patched.data.state, 'inactive');
    assert.equal((await api.getIdentity({ id })).data.state, 'inactive', 'the patch is stored');

    const bad = await failureOf(api.patchIdentity({ id, jsonPatch: [{ op: 'replace', path: '/traits/email', value: 'not-an-email' }] }));
    assert.equal(bad.status, 400);

    const deleted = await api.deleteIdentity({ id });
    assert.equal(deleted.status, 204);
    const gone = await failureOf(api.getIdentity({ id }));
    assert.equal(gone.status, 404);
    assert.equal(gone.data?.error?.code, 404);
  });
});
