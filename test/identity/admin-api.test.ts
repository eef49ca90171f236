import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestApp } from '../helpers/harness.js';
import { admin, createIdentity, startIdentityApp } from './helpers.js';

const NOT_FOUND = { error: { code: 404, status: 'Not Found', message: 'Unable to locate the resource' } };
const CONFLICT = {
  error: { code: 409, status: 'Conflict', reason: 'This identity conflicts with another identity that already exists.', message: 'The resource could not be created due to a conflict' },
};

forEachBackend('admin identity API (flows spec §6 cases 81-99)', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startIdentityApp(backend);
  });
  after(() => t.close());

  test('81: empty list → 200 [] with the keyset Link header', async () => {
    const res = await admin(t, 'GET', '/admin/identities');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), []);
    assert.equal(res.headers.link, '</admin/identities?page_size=250&page_token=00000000-0000-0000-0000-000000000000>; rel="first"');
  });

  test('82: unknown and malformed ids → 404 Unable to locate the resource (GET, PUT, PATCH, DELETE)', async () => {
    for (const id of ['does-not-exist', '3f1a9a0e-5b0c-4d5e-9f1a-2b3c4d5e6f70']) {
      for (const method of ['GET', 'DELETE']) {
        const res = await admin(t, method, `/admin/identities/${id}`);
        assert.equal(res.statusCode, 404, `${method} ${id}`);
        assert.deepEqual(res.json(), NOT_FOUND);
      }
      assert.deepEqual((await admin(t, 'PUT', `/admin/identities/${id}`, { traits: {} })).json(), NOT_FOUND);
      assert.deepEqual((await admin(t, 'PATCH', `/admin/identities/${id}`, [])).json(), NOT_FOUND);
    }
    // The un-prefixed admin path is the same route.
    assert.equal((await admin(t, 'GET', '/identities/does-not-exist')).statusCode, 404);
  });

  test('83: unknown schema_id → 400 naming it; nothing stored', async () => {
    const res = await admin(t, 'POST', '/admin/identities', { schema_id: 'does-not-exist', traits: {} });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.reason, 'Unable to find JSON Schema ID: does-not-exist');
  });

  test('84: traits violating the schema → 400 with the jsonschema reason', async () => {
    const res = await admin(t, 'POST', '/admin/identities', { traits: { bar: 123 } });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      error: { code: 400, status: 'Bad Request', reason: 'I[#/traits/bar] S[#/properties/traits/properties/bar/type] expected string, but got number', message: 'The request was malformed or contained invalid parameters' },
    });
  });

  test('85: unknown fields (schema_url, id) → 400 with the decoder error as message', async () => {
    const a = await admin(t, 'POST', '/admin/identities', { schema_url: '12345', traits: {} });
    assert.equal(a.statusCode, 400);
    assert.equal(a.json().error.message, 'json: unknown field "schema_url"');
    const b = await admin(t, 'POST', '/admin/identities', { id: '12345', traits: {} });
    assert.equal(b.statusCode, 400);
    assert.equal(b.json().error.message, 'json: unknown field "id"');
    const c = await admin(t, 'POST', '/admin/identities', { schema_id: 42 });
    assert.equal(c.statusCode, 400);
    assert.match(c.json().error.message, /cannot unmarshal number into Go struct field .*schema_id of type string/);
    assert.deepEqual((await admin(t, 'GET', '/admin/identities')).json(), []);
  });

  test('86: create → 201, Location on the admin base URL, Kratos shape, no credentials without identifiers', async () => {
    const res = await admin(t, 'POST', '/admin/identities', { traits: { bar: 'baz' } });
    assert.equal(res.statusCode, 201);
    const body = res.json();
    assert.match(body.id, /^[0-9a-f-]{36}$/);
    assert.equal(res.headers.location, `http://localhost:4434/identities/${body.id}`);
    assert.deepEqual(Object.keys(body), ['id', 'schema_id', 'schema_url', 'state', 'state_changed_at', 'traits', 'metadata_public', 'metadata_admin', 'created_at', 'updated_at', 'organization_id']);
    assert.equal(body.schema_url, 'http://localhost:4433/schemas/ZGVmYXVsdA');
    assert.equal(body.schema_id, 'default');
    assert.equal(body.state, 'active');
    assert.deepEqual(body.traits, { bar: 'baz' });
    assert.equal(body.metadata_public, null);
    assert.equal(body.metadata_admin, null);
    assert.equal(body.organization_id, null);
    assert.match(body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    await admin(t, 'DELETE', `/admin/identities/${body.id}`);
  });

  test('87: metadata and external_id are echoed; state inactive on create', async () => {
    const body = await createIdentity(t, { traits: { bar: 'meta' }, metadata_public: { a: 1 }, metadata_admin: { b: [2] }, external_id: 'ext-87', state: 'inactive' });
    assert.deepEqual(body.metadata_public, { a: 1 });
    assert.deepEqual(body.metadata_admin, { b: [2] });
    assert.equal(body.external_id, 'ext-87');
    assert.equal(body.state, 'inactive');
    const got = (await admin(t, 'GET', `/admin/identities/${body.id}`)).json();
    assert.deepEqual(got.metadata_admin, { b: [2] });
    // GET /admin/identities/by/external/{externalID}, with and without the /admin prefix.
    for (const path of ['/admin/identities/by/external/ext-87', '/identities/by/external/ext-87']) {
      const byExternal = await admin(t, 'GET', path);
      assert.equal(byExternal.statusCode, 200, path);
      assert.equal(byExternal.json().id, body.id);
      assert.equal(byExternal.json().external_id, 'ext-87');
    }
    const unknown = await admin(t, 'GET', '/admin/identities/by/external/no-such-ext');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.message, 'Unable to locate the resource');
    const bad = await admin(t, 'POST', '/admin/identities', { traits: {}, state: 'sleeping' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.reason, 'identity state is not valid');
    await admin(t, 'DELETE', `/admin/identities/${body.id}`);
  });

  test('88: cleartext and imported hashes; the hash never appears in any response', async () => {
    const imports: Array<[string, string]> = [
      ['bcrypt', '$2a$10$ZsCsoVQ3xfBG/K2z2XpBf.tm90GZmtOqtqWcB5.pYd5Eq8y7RlDyq'],
      ['argon2id', '$argon2id$v=19$m=16,t=2,p=1$bVI1aE1SaTV6SGQ3bzdXdw$fnjCcZYmEPOUOjYXsT92Cg'],
      ['pbkdf2', '$pbkdf2-sha256$i=1000,l=128$e8/arsEf4cvQihdNgqj0Nw$5xQQKNTyeTHx2Ld5/JDE7A'],
      ['scrypt', '$scrypt$ln=16384,r=8,p=1$ZtQva9xCHzlSELH/mA7Kj5KjH2tCrkbwYzdxknkL0QQ=$pnTcXKaWVT+FwFDdk3vO1K0J7ZgOxdSU1tCJNYmn8zI='],
      ['md5', '$md5$4QrcOUm6Wau+VuBX8g+IPg=='],
    ];
    const manager = t.app.registry.identities;
    for (const [name, hash] of imports) {
      const email = `import-hash-${name}@ory.sh`;
      const res = await admin(t, 'POST', '/admin/identities', { traits: { email }, credentials: { password: { config: { hashed_password: hash } } } });
      assert.equal(res.statusCode, 201, `${name}: ${res.body}`);
      assert.deepEqual(res.json().credentials.password.identifiers, [email]);
      assert.ok(!res.body.includes(hash.slice(0, 12)), `${name} hash leaked`);
      const stored = await manager.findByPasswordIdentifier(email);
      assert.equal(await manager.verifyPassword(stored!, '123456'), true, name);
      const plain = await admin(t, 'GET', `/admin/identities/${stored!.id}`);
      assert.ok(!plain.body.includes('hashed_password') && !plain.body.includes(hash.slice(0, 12)), plain.body);
      // As Kratos: include_credential=password exports the stored hash (admin API only).
      const full = await admin(t, 'GET', `/admin/identities/${stored!.id}?include_credential=password`);
      assert.equal(full.json().credentials.password.config.hashed_password, stored!.credentials.password.config.hashed_password);
    }
    const clear = await createIdentity(t, { traits: { email: 'clear@ory.sh' }, credentials: { password: { config: { password: '123456' } } } });
    const stored = await manager.get(clear.id);
    assert.match(stored!.credentials.password.config.hashed_password as string, /^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
    assert.equal(await manager.verifyPassword(stored!, '123456'), true);
  });

  test('88b: unknown hash formats and out-of-bounds parameters → 400, nothing stored', async () => {
    const before = (await admin(t, 'GET', '/admin/identities')).json().length;
    const cases: Array<[string, string]> = [
      ['not-a-hash', 'The imported password does not match any known hash format.'],
      ['$argon2id$v=19$m=4194304,t=2,p=1$bVI1aE1SaTV6SGQ3bzdXdw$fnjCcZYmEPOUOjYXsT92Cg', 'The imported password hash declares cost parameters that exceed the bounds enforced by Ory. Re-hash the password with a more conservative configuration before importing.'],
      ['$2a$16$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL6', 'The imported password hash declares cost parameters that exceed the bounds enforced by Ory. Re-hash the password with a more conservative configuration before importing.'],
      ['$argon2id$v=19$broken', 'The imported password hash could not be parsed.'],
    ];
    for (const [hash, reason] of cases) {
      const res = await admin(t, 'POST', '/admin/identities', { traits: { email: 'bounds@ory.sh' }, credentials: { password: { config: { hashed_password: hash } } } });
      assert.equal(res.statusCode, 400, hash);
      assert.equal(res.json().error.reason, reason);
    }
    const empty = await admin(t, 'POST', '/admin/identities', { traits: { email: 'empty@ory.sh' }, credentials: { password: { config: {} } } });
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().error.reason, 'The imported password does not match any known hash format.');
    assert.equal((await admin(t, 'GET', '/admin/identities')).json().length, before);
  });

  test('duplicate identifier (normalized) or external_id → 409 with Kratos body, on create, PUT and PATCH', async () => {
    await createIdentity(t, { traits: { email: 'dupe@ory.sh' }, external_id: 'ext-dupe' });
    const res = await admin(t, 'POST', '/admin/identities', { traits: { email: '  DUPE@ory.SH ' } });
    assert.equal(res.statusCode, 409);
    assert.deepEqual(res.json(), CONFLICT);
    const ext = await admin(t, 'POST', '/admin/identities', { traits: { bar: 'x' }, external_id: 'ext-dupe' });
    assert.equal(ext.statusCode, 409);
    const other = await createIdentity(t, { traits: { email: 'other-dupe@ory.sh' } });
    const put = await admin(t, 'PUT', `/admin/identities/${other.id}`, { traits: { email: 'Dupe@ory.sh' } });
    assert.equal(put.statusCode, 409);
    assert.deepEqual(put.json(), { error: { code: 409, status: 'Conflict', message: 'Unable to insert or update resource because a resource with that value exists already' } });
    const patch = await admin(t, 'PATCH', `/admin/identities/${other.id}`, [{ op: 'replace', path: '/traits/email', value: 'dupe@ory.sh' }]);
    assert.equal(patch.statusCode, 409);
    assert.deepEqual((await admin(t, 'GET', `/admin/identities/${other.id}`)).json().traits, { email: 'other-dupe@ory.sh' });
  });

  test('89: upper-case address values are stored lower-case; the verified flag is kept', async () => {
    const body = await createIdentity(t, {
      traits: { email: 'UPPER-89@Ory.sh' },
      verifiable_addresses: [{ value: 'UPPER-89@Ory.sh', verified: true, via: 'email', status: 'completed' }],
      recovery_addresses: [{ value: 'UPPER-89@Ory.sh', via: 'email' }],
    });
    assert.equal(body.verifiable_addresses.length, 1);
    assert.equal(body.verifiable_addresses[0].value, 'upper-89@ory.sh');
    assert.equal(body.verifiable_addresses[0].verified, true);
    assert.equal(body.verifiable_addresses[0].status, 'completed');
    assert.equal(body.recovery_addresses[0].value, 'upper-89@ory.sh');
    assert.equal(body.traits.email, 'UPPER-89@Ory.sh');
  });

  test('90: ids filter: deduplicated; > 500 ids, combined filters and bad UUIDs → 400', async () => {
    const a = await createIdentity(t, { traits: { bar: 'ids-a' } });
    const b = await createIdentity(t, { traits: { bar: 'ids-b' } });
    const res = await admin(t, 'GET', `/admin/identities?ids=${a.id}&ids=${b.id}&ids=${a.id}&ids=3f1a9a0e-5b0c-4d5e-9f1a-2b3c4d5e6f70`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().map((i: any) => i.id).sort(), [a.id, b.id].sort());
    const many = Array.from({ length: 501 }, () => `ids=${a.id}`).join('&');
    assert.equal((await admin(t, 'GET', `/admin/identities?${many}`)).json().error.reason, 'The number of ids to filter must not exceed 500.');
    assert.equal((await admin(t, 'GET', `/admin/identities?ids=${a.id}&credentials_identifier=x`)).json().error.reason, 'You cannot combine multiple filters in this API');
    assert.equal((await admin(t, 'GET', '/admin/identities?include_credential=nope')).json().error.reason, 'Invalid value `nope` for parameter `include_credential`.');
    assert.equal((await admin(t, 'GET', '/admin/identities?organization_id=org')).json().error.reason, 'Invalid UUID value `org` for parameter `organization_id`.');
    const bad = await admin(t, 'GET', '/admin/identities?ids=not-a-uuid');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.reason, 'Invalid UUID value `not-a-uuid` for parameter `ids`.');
  });

  test('91: credentials_identifier is normalized and expands credentials; unknown → []', async () => {
    const created = await createIdentity(t, { traits: { email: 'find.by.identifier@bar.com' }, credentials: { password: { config: { password: 'pw-91-abcdef' } } } });
    const res = await admin(t, 'GET', '/admin/identities?credentials_identifier=FIND.BY.IDENTIFIER@bar.com');
    assert.equal(res.statusCode, 200);
    const [first] = res.json();
    assert.equal(first.id, created.id);
    assert.deepEqual(first.credentials.password.identifiers, ['find.by.identifier@bar.com']);
    assert.equal(first.credentials.password.config, undefined);
    assert.deepEqual((await admin(t, 'GET', '/admin/identities?credentials_identifier=nobody@bar.com')).json(), []);
  });

  test('92: GET lists credentials without config; include_credential=password adds config with the hash', async () => {
    const created = await createIdentity(t, { traits: { email: 'creds-92@ory.sh', username: 'creds92' }, credentials: { password: { config: { password: 'pw-92-abcdef' } } } });
    const plain = (await admin(t, 'GET', `/admin/identities/${created.id}`)).json();
    assert.deepEqual(Object.keys(plain.credentials.password), ['type', 'identifiers', 'version', 'created_at', 'updated_at']);
    assert.deepEqual(plain.credentials.password.identifiers, ['creds-92@ory.sh', 'creds92']);
    const withPw = await admin(t, 'GET', `/admin/identities/${created.id}?include_credential=password&include_credential=webauthn`);
    assert.equal(withPw.statusCode, 200);
    assert.deepEqual(Object.keys(withPw.json().credentials.password.config), ['hashed_password']);
    assert.match(withPw.json().credentials.password.config.hashed_password, /^\$argon2id\$/);
    assert.ok(!plain.credentials.password.config);
    const bad = await admin(t, 'GET', `/admin/identities/${created.id}?include_credential=password&include_credential=nope`);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.reason, 'Invalid value `[password]` for parameter `include_credential`.');
  });

  test('93/94: PUT replaces traits, state, metadata, external_id and password', async () => {
    const created = await createIdentity(t, { traits: { email: 'put-93@ory.sh' } });
    await new Promise((r) => setTimeout(r, 5));
    const res = await admin(t, 'PUT', `/admin/identities/${created.id}`, {
      traits: { email: 'put-93b@ory.sh', bar: 'x' },
      state: 'inactive',
      metadata_public: { p: 1 },
      metadata_admin: { a: 1 },
      external_id: 'ext-93',
      credentials: { password: { config: { password: 'pswd1234' } } },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.state, 'inactive');
    assert.notEqual(body.state_changed_at, created.state_changed_at);
    assert.deepEqual(body.traits, { email: 'put-93b@ory.sh', bar: 'x' });
    assert.deepEqual(body.metadata_public, { p: 1 });
    assert.deepEqual(body.metadata_admin, { a: 1 });
    assert.equal(body.external_id, 'ext-93');
    assert.deepEqual(body.credentials.password.identifiers, ['put-93b@ory.sh']);
    const got = (await admin(t, 'GET', `/admin/identities/${created.id}`)).json();
    assert.deepEqual(got.traits, body.traits);
    assert.equal(got.state, 'inactive');
    const manager = t.app.registry.identities;
    assert.equal(await manager.verifyPassword((await manager.get(created.id))!, 'pswd1234'), true);
    assert.equal(await manager.findByPasswordIdentifier('put-93@ory.sh'), null);
  });

  test('95: PUT to a schema that forbids a trait, or with a bad state → 400; nothing changes', async () => {
    const created = await createIdentity(t, { traits: { bar: 'b', department: 'sales' } });
    const res = await admin(t, 'PUT', `/admin/identities/${created.id}`, { schema_id: 'strict', traits: { bar: 'b', department: 'sales' } });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.reason, /additionalProperties "department" not allowed/);
    const state = await admin(t, 'PUT', `/admin/identities/${created.id}`, { traits: { bar: 'b' }, state: 'sleeping' });
    assert.equal(state.statusCode, 400);
    assert.equal(state.json().error.reason, 'identity state is not valid');
    const got = (await admin(t, 'GET', `/admin/identities/${created.id}`)).json();
    assert.equal(got.schema_id, 'default');
    assert.deepEqual(got.traits, { bar: 'b', department: 'sales' });
    const noJson = await admin(t, 'PUT', `/admin/identities/${created.id}`, 'traits=1', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(noJson.statusCode, 400);
  });

  test('96: DELETE → 204 and the identity is gone, sessions with it', async () => {
    const created = await createIdentity(t, { traits: { bar: 'delete-me' } });
    const res = await admin(t, 'DELETE', `/admin/identities/${created.id}`);
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assert.deepEqual((await admin(t, 'GET', `/admin/identities/${created.id}`)).json(), NOT_FOUND);
    assert.equal((await admin(t, 'DELETE', `/admin/identities/${created.id}`)).statusCode, 404);
  });

  test('97: PATCH state → 200 and state_changed_at moves', async () => {
    const created = await createIdentity(t, { traits: { bar: 'patch-97' } });
    await new Promise((r) => setTimeout(r, 5));
    const res = await admin(t, 'PATCH', `/admin/identities/${created.id}`, [{ op: 'replace', path: '/state', value: 'inactive' }]);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().state, 'inactive');
    assert.notEqual(res.json().state_changed_at, created.state_changed_at);
  });

  test('98: PATCH errors: invalid state, schema, empty body, denied paths; /traits/subject works', async () => {
    const created = await createIdentity(t, { traits: { bar: 'patch-98' } });
    const url = `/admin/identities/${created.id}`;
    const state = await admin(t, 'PATCH', url, [{ op: 'replace', path: '/state', value: 'invalid-value' }]);
    assert.equal(state.statusCode, 400);
    assert.equal(state.json().error.reason, "The supplied state ('invalid-value') was not valid. Valid states are ('active', 'inactive').");
    const schema = await admin(t, 'PATCH', url, [{ op: 'replace', path: '/schema_id', value: 'invalid-id' }]);
    assert.equal(schema.statusCode, 400);
    assert.match(schema.json().error.reason, /invalid-id/);
    const empty = await t.app.admin.inject({ method: 'PATCH', url });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(empty.json().error, { code: 400, status: 'Bad Request', reason: 'failed to unmarshal JSON patch', message: 'unexpected end of JSON input' });
    for (const path of ['/credentials', '/id', '/credentials/oidc/config']) {
      const denied = await admin(t, 'PATCH', url, [{ op: 'replace', path, value: 'x' }]);
      assert.equal(denied.statusCode, 400);
      assert.deepEqual(denied.json().error, { code: 400, status: 'Bad Request', reason: 'failed to apply JSON patch', message: `patch includes denied path: ${path}` });
    }
    const lift = await admin(t, 'PATCH', url, [{ op: 'copy', from: '/credentials', path: '/traits/subject' }]);
    assert.equal(lift.statusCode, 400);
    const missing = await admin(t, 'PATCH', url, [{ op: 'replace', path: '/traits/nope/deeper', value: 1 }]);
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().error.reason, 'failed to apply JSON patch');
    const ok = await admin(t, 'PATCH', url, [{ op: 'add', path: '/traits/subject', value: 'subj' }]);
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json().traits, { bar: 'patch-98', subject: 'subj' });
    const after = (await admin(t, 'GET', url)).json();
    assert.equal(after.state, 'active');
    assert.equal(after.schema_id, 'default');
  });

  test('99: PATCH replace /credentials/password/config/hashed_password → 200 and the new hash verifies', async () => {
    const created = await createIdentity(t, { traits: { email: 'patch-99@ory.sh' }, credentials: { password: { config: { password: 'old-password' } } } });
    const url = `/admin/identities/${created.id}`;
    const newHash = '$2a$10$ZsCsoVQ3xfBG/K2z2XpBf.tm90GZmtOqtqWcB5.pYd5Eq8y7RlDyq';
    const res = await admin(t, 'PATCH', url, [{ op: 'replace', path: '/credentials/password/config/hashed_password', value: newHash }]);
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(!res.body.includes(newHash));
    const manager = t.app.registry.identities;
    assert.equal(await manager.verifyPassword((await manager.get(created.id))!, '123456'), true);
    const bad = await admin(t, 'PATCH', url, [{ op: 'replace', path: '/credentials/password/config/hashed_password', value: 'garbage' }]);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.reason, 'The imported password does not match any known hash format.');
  });

  test('list pagination: keyset page_size/page_token with Link next; legacy page/per_page with X-Total-Count', async () => {
    const all = (await admin(t, 'GET', '/admin/identities')).json();
    assert.ok(all.length >= 5);
    const ids = all.map((i: any) => i.id);
    assert.deepEqual(ids, [...ids].sort(), 'ordered by id');
    const first = await admin(t, 'GET', '/admin/identities?page_size=2');
    assert.deepEqual(first.json().map((i: any) => i.id), ids.slice(0, 2));
    assert.equal(first.headers.link, `</admin/identities?page_size=2&page_token=00000000-0000-0000-0000-000000000000>; rel="first",</admin/identities?page_size=2&page_token=${ids[1]}>; rel="next"`);
    const second = await admin(t, 'GET', `/admin/identities?page_size=2&page_token=${ids[1]}`);
    assert.deepEqual(second.json().map((i: any) => i.id), ids.slice(2, 4));
    const last = await admin(t, 'GET', `/admin/identities?page_size=2&page_token=${ids[ids.length - 2]}`);
    assert.equal(last.json().length, 1);
    assert.ok(!String(last.headers.link).includes('rel="next"'));
    const bad = await admin(t, 'GET', '/admin/identities?page_token=crafted');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.reason, 'The page token is invalid, do not craft your own page tokens');
    const legacy = await admin(t, 'GET', '/admin/identities?page=1&per_page=2');
    assert.equal(legacy.statusCode, 200);
    assert.deepEqual(legacy.json().map((i: any) => i.id), ids.slice(2, 4));
    assert.equal(legacy.headers['x-total-count'], String(ids.length));
    assert.match(String(legacy.headers.link), /rel="next"/);
    const tooFar = await admin(t, 'GET', '/admin/identities?page=11&per_page=100');
    assert.equal(tooFar.statusCode, 400);
    assert.equal(tooFar.json().error.reason, 'Legacy pagination is not supported for enumerating over 1000 items. Please switch to using page_token and page_size.');
    assert.equal((await admin(t, 'GET', '/admin/identities?page_size=abc')).statusCode, 400);
  });

  test('public port: every identity path answers 307 to the admin URL', async () => {
    for (const [method, url] of [
      ['GET', '/identities'],
      ['POST', '/identities'],
      ['GET', '/identities/abc?include_credential=password'],
      ['DELETE', '/admin/identities/abc'],
      ['PATCH', '/admin/identities'],
    ]) {
      const res = await t.app.public.inject({ method: method as 'GET', url });
      assert.equal(res.statusCode, 307, `${method} ${url}`);
      const path = url.startsWith('/admin') ? url : `/admin${url}`;
      assert.equal(res.headers.location, `http://localhost:4434${path}`);
    }
  });
});

forEachBackend('admin identity API: PATCH of verifiable addresses', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startIdentityApp(backend);
  });
  after(() => t.close());

  test('an admin can mark an address verified; addresses follow the traits', async () => {
    const created = await createIdentity(t, { traits: { email: 'verify-me@ory.sh' } });
    const url = `/admin/identities/${created.id}`;
    const res = await admin(t, 'PATCH', url, [
      { op: 'replace', path: '/verifiable_addresses/0/verified', value: true },
      { op: 'replace', path: '/verifiable_addresses/0/status', value: 'completed' },
    ]);
    assert.equal(res.statusCode, 200, res.body);
    const [address] = res.json().verifiable_addresses;
    assert.equal(address.id, created.verifiable_addresses[0].id);
    assert.equal(address.verified, true);
    assert.equal(address.status, 'completed');
    assert.match(address.verified_at, /Z$/);
    const bad = await admin(t, 'PATCH', url, [{ op: 'replace', path: '/verifiable_addresses/0/verified', value: 'yes' }]);
    assert.equal(bad.statusCode, 400);
    // A new email replaces the address; the old verification does not carry over.
    const moved = await admin(t, 'PATCH', url, [{ op: 'replace', path: '/traits/email', value: 'moved@ory.sh' }]);
    assert.equal(moved.json().verifiable_addresses.length, 1);
    assert.equal(moved.json().verifiable_addresses[0].value, 'moved@ory.sh');
    assert.equal(moved.json().verifiable_addresses[0].verified, false);
  });
});

forEachBackend('admin identity API: DELETE credentials', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startIdentityApp(backend);
  });
  after(() => t.close());

  test('the last first factor cannot be removed; a missing type is 404; unknown identity 404', async () => {
    const created = await createIdentity(t, { traits: { email: 'creds-del@ory.sh' }, credentials: { password: { config: { password: 'pw-del-123456' } } } });
    const last = await admin(t, 'DELETE', `/admin/identities/${created.id}/credentials/password`);
    assert.equal(last.statusCode, 400);
    assert.equal(last.json().error.reason, 'You cannot remove the last first factor credential.');
    const missing = await admin(t, 'DELETE', `/admin/identities/${created.id}/credentials/totp`);
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.reason, 'You tried to remove a totp but this user have no totp set up.');
    assert.deepEqual((await admin(t, 'DELETE', '/admin/identities/nope/credentials/password')).json(), NOT_FOUND);
    const pub = await t.app.public.inject({ method: 'DELETE', url: `/identities/${created.id}/credentials/password` });
    assert.equal(pub.statusCode, 307);
    assert.equal((await admin(t, 'GET', `/admin/identities/${created.id}`)).json().credentials.password.identifiers[0], 'creds-del@ory.sh');
  });
});
