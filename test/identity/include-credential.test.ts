import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Configuration, IdentityApi } from '@ory/client';
import { forEachBackend, type TestApp } from '../helpers/harness.js';
import { startIdentityApp } from './helpers.js';

// Kratos's getIdentity with include_credential=password returns the password config with its
// hashed_password (migration tools read it); without it the config stays hidden.
forEachBackend('include_credential=password returns the password hash (@ory/client)', (backend) => {
  let t: TestApp;
  let api: IdentityApi;
  let id: string;
  let imported: string;
  before(async () => {
    t = await startIdentityApp(backend, { listen: true });
    api = new IdentityApi(new Configuration({ basePath: t.adminURL }));
    // A bcrypt hash imported as is, so the expected value is known.
    imported = '$2a$04$1z5jECN8BhV9TuzVVE/rIuuTHn/09eO9pewqqK7MpxTBPPavR4s.2';
    const created = await api.createIdentity({
      createIdentityBody: { schema_id: 'email', traits: { email: 'hash-export@example.org', website: 'https://www.ory.sh' }, credentials: { password: { config: { hashed_password: imported } } } },
    });
    id = created.data.id;
    assert.ok(!JSON.stringify(created.data).includes(imported), 'create never answers the hash');
  });
  after(() => t.close());

  test('getIdentity({includeCredential: [password]}) has config.hashed_password', async () => {
    const got = await api.getIdentity({ id, includeCredential: ['password'] });
    assert.equal(got.status, 200);
    assert.deepEqual(got.data.credentials?.password?.config, { hashed_password: imported });
    assert.deepEqual(got.data.credentials?.password?.identifiers, ['hash-export@example.org']);
  });

  test('without include_credential the config stays hidden', async () => {
    const got = await api.getIdentity({ id });
    assert.equal(got.data.credentials?.password?.config, undefined);
    assert.ok(!JSON.stringify(got.data).includes(imported));
    const listed = await api.listIdentities({});
    assert.ok(!JSON.stringify(listed.data).includes(imported));
  });

  test('the exported hash is the stored one and verifies the password', async () => {
    const got = await api.getIdentity({ id, includeCredential: ['password'] });
    assert.equal((got.data.credentials?.password?.config as { hashed_password?: string } | undefined)?.hashed_password, imported);
    const identity = await t.app.registry.identities.findByPasswordIdentifier('hash-export@example.org');
    assert.equal(await t.app.registry.identities.verifyPassword(identity!, 'export-me-123'), true);
  });
});
