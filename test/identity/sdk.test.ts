import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Configuration, IdentityApi } from '@ory/client';
import { forEachBackend, type TestApp } from '../helpers/harness.js';
import { startIdentityApp } from './helpers.js';

forEachBackend('@ory/client IdentityApi against a listening server', (backend) => {
  let t: TestApp;
  let api: IdentityApi;
  before(async () => {
    t = await startIdentityApp(backend, { listen: true });
    api = new IdentityApi(new Configuration({ basePath: t.adminURL }));
  });
  after(() => t.close());

  test('create, list, get, patch, delete', async () => {
    const created = await api.createIdentity({
      createIdentityBody: {
        schema_id: 'email',
        traits: { email: 'sdk-user@example.org', website: 'https://www.ory.sh' },
        credentials: { password: { config: { password: 'sdk-password-123' } } },
        metadata_public: { plan: 'free' },
        external_id: 'sdk-external-1',
      },
    });
    assert.equal(created.status, 201);
    const id = created.data.id;
    assert.equal(created.headers.location, `${t.adminURL}/identities/${id}`);
    assert.equal(created.data.schema_url, `${t.publicURL}/schemas/ZW1haWw`);
    assert.deepEqual(created.data.credentials?.password?.identifiers, ['sdk-user@example.org']);
    assert.equal(created.data.verifiable_addresses?.[0].status, 'pending');

    const list = await api.listIdentities({ credentialsIdentifier: 'SDK-USER@example.org' });
    assert.deepEqual(list.data.map((i) => i.id), [id]);
    const all = await api.listIdentities({ pageSize: 10 });
    assert.ok(all.data.some((i) => i.id === id));
    assert.match(String(all.headers.link), /rel="first"/);

    const got = await api.getIdentity({ id, includeCredential: ['password'] });
    assert.deepEqual(got.data.traits, { email: 'sdk-user@example.org', website: 'https://www.ory.sh' });
    assert.match(String((got.data.credentials?.password?.config as { hashed_password?: string } | undefined)?.hashed_password), /^\$argon2id\$/);
    assert.deepEqual(got.data.metadata_public, { plan: 'free' });

    const byExternal = await api.getIdentityByExternalID({ externalID: 'sdk-external-1' });
    assert.equal(byExternal.data.id, id);

    const patched = await api.patchIdentity({ id, jsonPatch: [{ op: 'replace', path: '/state', value: 'inactive' }, { op: 'add', path: '/traits/age', value: 42 }] });
    assert.equal(patched.data.state, 'inactive');
    assert.equal((patched.data.traits as any).age, 42);

    const del = await api.deleteIdentity({ id });
    assert.equal(del.status, 204);
    await assert.rejects(api.getIdentity({ id }), (err: any) => {
      assert.equal(err.response.status, 404);
      assert.equal(err.response.data.error.message, 'Unable to locate the resource');
      return true;
    });
  });

  test('SDK errors carry Kratos bodies: validation 400, duplicate 409', async () => {
    await assert.rejects(api.createIdentity({ createIdentityBody: { schema_id: 'email', traits: { email: 'x' } } }), (err: any) => {
      assert.equal(err.response.status, 400);
      assert.match(err.response.data.error.reason, /^I\[#\] S\[#\] validation failed\n {2}I\[/);
      return true;
    });
    const body = { schema_id: 'email', traits: { email: 'sdk-dupe@example.org', website: 'https://www.ory.sh' } };
    await api.createIdentity({ createIdentityBody: body });
    await assert.rejects(api.createIdentity({ createIdentityBody: body }), (err: any) => {
      assert.equal(err.response.status, 409);
      assert.equal(err.response.data.error.reason, 'This identity conflicts with another identity that already exists.');
      return true;
    });
  });

  test('schemas through the public URL, and via the admin URL (307 followed)', async () => {
    const pub = new IdentityApi(new Configuration({ basePath: t.publicURL }));
    const schemas = await pub.listIdentitySchemas({ perPage: 10, page: 0 });
    assert.deepEqual(schemas.data.map((s) => s.id), ['default', 'email', 'strict', 'preset://email']);
    const one = await pub.getIdentitySchema({ id: 'ZW1haWw' });
    assert.equal((one.data as any).properties.traits.properties.email.format, 'email');
    const viaAdmin = await api.getIdentitySchema({ id: 'email' });
    assert.equal((viaAdmin.data as any).title, 'Person');
  });
});
