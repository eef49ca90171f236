import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestApp } from '../helpers/harness.js';
import { admin, createIdentity, startIdentityApp } from './helpers.js';

/** Malformed input gets a Kratos-format 4xx and changes nothing (contract: "Bad input"). */
forEachBackend('admin identity API: bad input', (backend) => {
  let t: TestApp;
  let id: string;
  let snapshot: string;
  before(async () => {
    t = await startIdentityApp(backend);
    id = (await createIdentity(t, { traits: { email: 'keep@ory.sh', bar: 'keep' }, credentials: { password: { config: { password: 'keep-password' } } } })).id;
    snapshot = (await admin(t, 'GET', '/admin/identities?include_credential=password')).body;
  });
  after(() => t.close());

  const bodies: Array<[string, string | Buffer, string?]> = [
    ['empty', ''],
    ['not json', 'nope'],
    ['truncated', '{"traits":'],
    ['array', '[1,2]'],
    ['number', '42'],
    ['null', 'null'],
    ['string traits', '{"traits":"x"}'],
    ['array traits', '{"traits":[1]}'],
    ['bad credentials type', '{"traits":{},"credentials":"x"}'],
    ['bad password type', '{"traits":{},"credentials":{"password":{"config":{"password":7}}}}'],
    ['unknown password field', '{"traits":{},"credentials":{"password":{"config":{"nope":"x"}}}}'],
    ['oidc import', '{"traits":{},"credentials":{"oidc":{"config":{"providers":[]}}}}'],
    ['bad state', '{"traits":{},"state":"deleted"}'],
    ['bad org id', '{"traits":{},"organization_id":"org"}'],
    ['bad address', '{"traits":{},"verifiable_addresses":[{"value":1}]}'],
    ['bad address via', '{"traits":{},"verifiable_addresses":[{"value":"a@b.c","via":"pigeon"}]}'],
    ['invalid utf-8', Buffer.from([0x7b, 0x22, 0x74, 0x72, 0x61, 0x69, 0x74, 0x73, 0x22, 0x3a, 0x7b, 0x22, 0x62, 0x61, 0x72, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x7d])],
    ['huge hash', JSON.stringify({ traits: { email: 'big@ory.sh' }, credentials: { password: { config: { hashed_password: `$argon2id$${'a'.repeat(10000)}` } } } })],
    ['email identifier duplicate', JSON.stringify({ traits: { email: 'KEEP@ory.sh' } })],
    ['NUL in external_id', JSON.stringify({ traits: { bar: 'x' }, external_id: 'e\u0000' })],
    ['unknown address status', JSON.stringify({ traits: { email: 'st@ory.sh' }, verifiable_addresses: [{ value: 'st@ory.sh', via: 'email', status: 'x'.repeat(100) }] })],
  ];

  async function assertUnchanged() {
    assert.equal((await admin(t, 'GET', '/admin/identities?include_credential=password')).body, snapshot);
  }

  function assertKratos4xx(res: { statusCode: number; json: () => any; body: string }, label: string) {
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${label}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    const e = res.json().error;
    assert.equal(e.code, res.statusCode, label);
    assert.equal(typeof e.status, 'string');
    assert.equal(typeof e.message, 'string');
  }

  test('POST /admin/identities with malformed bodies', async () => {
    for (const [label, payload] of bodies) {
      const res = await t.app.admin.inject({ method: 'POST', url: '/admin/identities', payload, headers: { 'content-type': 'application/json' } });
      assertKratos4xx(res, label);
    }
    await assertUnchanged();
  });

  test('PUT /admin/identities/{id} with malformed bodies and content types', async () => {
    // PUT decodes leniently (as Kratos does), so a body such as {"traits":{}} is a valid replacement:
    // those run against a scratch identity; the malformed ones must be 4xx.
    const scratch = (await createIdentity(t, { traits: { bar: 'scratch' } })).id;
    const valid = new Set(['bad org id', 'bad address', 'bad address via', 'unknown address status']);
    try {
      for (const [label, payload] of bodies) {
        const res = await t.app.admin.inject({ method: 'PUT', url: `/admin/identities/${scratch}`, payload, headers: { 'content-type': 'application/json' } });
        if (valid.has(label)) assert.equal(res.statusCode, 200, `${label}: ${res.body}`);
        else assertKratos4xx(res, label);
      }
      const form = await t.app.admin.inject({ method: 'PUT', url: `/admin/identities/${scratch}`, payload: 'traits=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assertKratos4xx(form, 'form');
    } finally {
      await admin(t, 'DELETE', `/admin/identities/${scratch}`);
    }
  });

  test('PATCH with malformed patches', async () => {
    const patches: Array<[string, string]> = [
      ['object', '{"op":"replace"}'],
      ['garbage', '[{'],
      ['no op', '[{"path":"/state"}]'],
      ['bad op', '[{"op":"explode","path":"/state"}]'],
      ['no path', '[{"op":"replace","value":1}]'],
      ['numeric path', '[{"op":"replace","path":5,"value":1}]'],
      ['test fails', '[{"op":"test","path":"/state","value":"inactive"}]'],
      ['remove traits', '[{"op":"remove","path":"/traits"}]'],
      ['state number', '[{"op":"replace","path":"/state","value":1}]'],
      ['schema number', '[{"op":"replace","path":"/schema_id","value":1}]'],
      ['traits array', '[{"op":"replace","path":"/traits","value":[1]}]'],
      ['proto', '[{"op":"add","path":"/__proto__/polluted","value":1}]'],
      ['hash removed', '[{"op":"replace","path":"/credentials/password/config/hashed_password","value":""}]'],
      ['NUL external_id', '[{"op":"add","path":"/external_id","value":"a\\u0000"}]'],
    ];
    for (const [label, payload] of patches) {
      const res = await t.app.admin.inject({ method: 'PATCH', url: `/admin/identities/${id}`, payload, headers: { 'content-type': 'application/json' } });
      assertKratos4xx(res, label);
    }
    assert.equal(({} as any).polluted, undefined);
  });

  test('query and path garbage', async () => {
    for (const url of [
      '/admin/identities?page_token=%zz',
      '/admin/identities?page_size=-1',
      '/admin/identities?page=-1',
      '/admin/identities?include_credential=everything',
      `/admin/identities/${id}?include_credential=%ff`,
      '/admin/identities?preview_credentials_identifier_similar=a',
    ]) {
      assertKratos4xx(await admin(t, 'GET', url), url);
    }
    for (const path of ['%00', 'x'.repeat(400), '..%2f..%2fetc', "1' OR '1'='1"]) {
      const res = await admin(t, 'GET', `/admin/identities/${path}`);
      assert.equal(res.statusCode, 404, path);
      assert.equal(res.json().error.message, 'Unable to locate the resource');
    }
    await assertUnchanged();
  });

  test('after all of it, the identity still logs in with its password', async () => {
    await assertUnchanged();
    const m = t.app.registry.identities;
    assert.equal(await m.verifyPassword((await m.findByPasswordIdentifier('keep@ory.sh'))!, 'keep-password'), true);
  });
});

forEachBackend('admin identity API: deeply nested documents', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startIdentityApp(backend);
  });
  after(() => t.close());

  test('nesting beyond 128 levels is a 400 on POST, PUT and PATCH, never a 500', async () => {
    const id = (await createIdentity(t, { traits: { bar: 'nest' } })).id;
    for (const n of [200, 100_000, 1_000_000]) {
      const deep = `${'['.repeat(n)}${']'.repeat(n)}`;
      const post = await t.app.admin.inject({ method: 'POST', url: '/admin/identities', payload: `{"traits":{"bar":"x","deep":${deep}}}`, headers: { 'content-type': 'application/json' } });
      assert.equal(post.statusCode, 400, `POST ${n}`);
      const put = await t.app.admin.inject({ method: 'PUT', url: `/admin/identities/${id}`, payload: `{"traits":{"bar":"x","deep":${deep}}}`, headers: { 'content-type': 'application/json' } });
      assert.equal(put.statusCode, 400, `PUT ${n}`);
      const patch = await t.app.admin.inject({ method: 'PATCH', url: `/admin/identities/${id}`, payload: `[{"op":"add","path":"/traits/deep","value":${deep}}]`, headers: { 'content-type': 'application/json' } });
      assert.equal(patch.statusCode, 400, `PATCH ${n}`);
    }
    const ok = await createIdentity(t, { traits: { bar: 'x', deep: JSON.parse(`${'['.repeat(60)}${']'.repeat(60)}`) } });
    assert.ok(ok.id);
    assert.equal((await t.app.admin.inject({ method: 'GET', url: '/admin/identities' })).json().length, 2);
  });
});
