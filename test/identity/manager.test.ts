import { SessionManager } from '../../src/session/manager.js';
import type { SessionStore } from '../../src/session/store.js';
import { createLogger } from '../../src/x/logger.js';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Config } from '../../src/config/config.js';
import { Hasher } from '../../src/hash/hasher.js';
import { SchemaRegistry } from '../../src/schema/registry.js';
import { IdentityManager, TraitsValidationError } from '../../src/identity/manager.js';
import { identityToJSON } from '../../src/identity/json.js';
import type { Identity } from '../../src/identity/types.js';
import type { IdentityStore } from '../../src/identity/store.js';

/** These unit tests never end sessions; the manager still gets the real revocation path, without a store. */
const sessionsFor = (config: Config) => new SessionManager({ config, store: {} as SessionStore, logger: createLogger({ level: 'silent' }) });

const fixture = (name: string) => `file://${fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))}`;
const EMAIL = `file://${fileURLToPath(new URL('../fixtures/identity.email.schema.json', import.meta.url))}`;

function config(): Config {
  return Config.load({
    env: {},
    values: {
      dev: true,
      dsn: 'memory',
      serve: { public: { base_url: 'http://localhost:4433/' }, admin: { base_url: 'http://localhost:4434/' } },
      selfservice: { default_browser_return_url: 'http://localhost:4455/' },
      identity: {
        default_schema_id: 'default',
        schemas: [
          { id: 'default', url: fixture('bar.schema.json') },
          { id: 'email', url: EMAIL },
          { id: 'constraints', url: fixture('constraints.schema.json') },
        ],
      },
      secrets: { default: ['porta-test-secret-0123456789abcdef'] },
      hashers: { argon2: { memory: '64KiB', iterations: 1, parallelism: 1 } },
    },
  });
}

/** A map-backed store: enough for the manager's own logic; the real stores have their own suite. */
function memoryStore(): IdentityStore & { rows: Map<string, Identity>; upgrades: number } {
  const rows = new Map<string, Identity>();
  const s = {
    rows,
    upgrades: 0,
    async createIdentity(i: Identity) {
      rows.set(i.id, structuredClone(i));
    },
    async updateIdentity(i: Identity) {
      if (!rows.has(i.id)) return false;
      rows.set(i.id, structuredClone(i));
      return true;
    },
    async getIdentity(id: string) {
      return rows.get(id) ?? null;
    },
    async findIdentityByVerifiableAddress(via: string, value: string) {
      return [...rows.values()].find((i) => i.verifiableAddresses.some((a) => a.via === via && a.value === value)) ?? null;
    },
    async findIdentityByRecoveryAddress(via: string, value: string) {
      for (const i of rows.values()) if (i.recoveryAddresses.some((a) => a.via === via && a.value === value)) return structuredClone(i);
      return null;
    },
    async findIdentityByExternalId(externalId: string) {
      for (const i of rows.values()) if (i.externalId === externalId) return structuredClone(i);
      return null;
    },
    async findIdentityByCredentialIdentifier(type: string, identifier: string) {
      for (const i of rows.values()) if (i.credentials[type]?.identifiers.includes(identifier)) return structuredClone(i);
      return null;
    },
    async listIdentities() {
      return [...rows.values()];
    },
    async countIdentities() {
      return rows.size;
    },
    async updateCredentialConfig(id: string, type: string, cfg: Record<string, unknown>) {
      s.upgrades++;
      rows.get(id)!.credentials[type].config = cfg;
    },
    async deleteIdentity(id: string) {
      return rows.delete(id);
    },
  };
  return s;
}

async function setup() {
  const cfg = config();
  const schemas = await SchemaRegistry.load(cfg);
  const store = memoryStore();
  const hasher = new Hasher(cfg);
  return { cfg, store, hasher, m: new IdentityManager({ config: cfg, store, schemas, hasher, sessions: sessionsFor(cfg) }) };
}

describe('identity manager', () => {
  test('validation errors: UI messages (Kratos ids) and the admin reason', async () => {
    const { m } = await setup();
    const v = m.validateTraits('constraints', { username: 'AB1', a: 7, b: 5, list: [1, 2, 1, 4], foobar: 3 });
    const byId = Object.fromEntries(v.map((x) => [x.message.id, x]));
    assert.deepEqual(byId[4000003].message, { id: 4000003, text: 'length must be >= 5, but got 3', type: 'error', context: { actual_length: 3, min_length: 5 } });
    assert.equal(byId[4000003].pointer, '#/traits/username');
    assert.equal(byId[4000004].message.text, 'does not match pattern "^[a-z]*$"');
    assert.equal(byId[4000020].message.text, 'must be <= 5 but found 7');
    assert.equal(byId[4000022].message.text, '7 not multipleOf 3');
    assert.equal(byId[4000019].message.text, 'must be > 5 but found 5');
    assert.equal(byId[4000021].message.text, 'must be < 5 but found 5');
    assert.equal(byId[4000023].message.text, 'maximum 3 items allowed, but found 4 items');
    assert.equal(byId[4000025].message.text, 'items at index 0 and 2 are equal');
    assert.deepEqual(byId[4000026].message, { id: 4000026, text: 'expected string, but got number', type: 'error', context: { actual_type: 'number', allowed_types: ['string'] } });
    const missing = m.validateTraits('constraints', {});
    assert.deepEqual(missing.map((x) => [x.pointer, x.message]), [['#/traits/foobar', { id: 4000002, text: 'Property foobar is missing.', type: 'error', context: { property: 'foobar' } }]]);
    assert.equal(missing[0].adminText, 'I[#/traits] S[#/properties/traits/required] missing properties: "foobar"');
    const email = m.validateTraits('email', { email: 'not-an-email', website: 'https://x' });
    const e = email.find((x) => x.message.id === 4000040)!;
    assert.deepEqual(e.message, { id: 4000040, text: 'Enter a valid email address', type: 'error', context: { value: 'not-an-email' } });
    assert.equal(e.pointer, '#/traits/email');
    assert.ok(email.some((x) => x.message.text === 'length must be >= 10, but got 9'));
  });

  test('admin reason: one line for one cause, "validation failed" with indented causes for several', async () => {
    const { m } = await setup();
    await assert.rejects(m.create({ traits: { bar: 123 } }), (err: TraitsValidationError) => {
      assert.equal(err.code, 400);
      assert.equal(err.reason, 'I[#/traits/bar] S[#/properties/traits/properties/bar/type] expected string, but got number');
      return true;
    });
    await assert.rejects(m.create({ schemaId: 'email', traits: { age: 'x', department: 'y' } }), (err: TraitsValidationError) => {
      assert.match(err.reason!, /^I\[#\] S\[#\] validation failed\n {2}I\[/);
      assert.ok(err.reason!.includes('\n  I[#/traits] S[#/properties/traits/required] missing properties: "email", "website"'), err.reason);
      assert.ok(err.reason!.includes('additionalProperties "department" not allowed'));
      return true;
    });
    await assert.rejects(m.create({ schemaId: 'does-not-exist', traits: {} }), { reason: 'Unable to find JSON Schema ID: does-not-exist' });
  });

  test('identifiers: normalized, de-duplicated; addresses from the extension', async () => {
    const { m } = await setup();
    assert.deepEqual(m.passwordIdentifiers('default', { email: '  Foo@Example.ORG ', username: 'foo@example.org' }), ['foo@example.org']);
    assert.deepEqual(m.passwordIdentifiers('default', { bar: 'x' }), []);
    const i = await m.create({ traits: { email: 'Foo@Example.org', username: 'ＡＢＣ' }, password: { cleartext: 'secret-pw' } });
    assert.deepEqual(i.credentials.password.identifiers, ['foo@example.org', 'abc']);
    assert.equal(i.verifiableAddresses[0].value, 'foo@example.org');
    assert.equal(i.verifiableAddresses[0].status, 'pending');
    assert.equal(i.verifiableAddresses[0].verified, false);
    assert.equal(i.recoveryAddresses[0].value, 'foo@example.org');
    assert.equal(i.traits.email, 'Foo@Example.org');
  });

  test('lookup: normalized first, then raw; verify upgrades foreign hashes', async () => {
    const { m, store } = await setup();
    const i = await m.create({ traits: { email: 'a@b.c' }, password: { hashed: '$2a$10$ZsCsoVQ3xfBG/K2z2XpBf.tm90GZmtOqtqWcB5.pYd5Eq8y7RlDyq' } });
    const found = await m.findByPasswordIdentifier('  A@B.C ');
    assert.equal(found?.id, i.id);
    assert.equal(await m.findByPasswordIdentifier('nobody@b.c'), null);
    assert.equal(await m.verifyPassword(found!, 'wrong'), false);
    assert.equal(store.upgrades, 0);
    assert.equal(await m.verifyPassword(found!, '123456'), true);
    assert.equal(store.upgrades, 1);
    const stored = store.rows.get(i.id)!.credentials.password.config.hashed_password as string;
    assert.match(stored, /^\$argon2id\$/);
    assert.equal(await m.verifyPassword((await m.get(i.id))!, '123456'), true);
    assert.equal(store.upgrades, 1);
  });

  test('imports: unknown format, out-of-bounds and unparsable hashes are 400 with Kratos reasons', async () => {
    const { m, store } = await setup();
    await assert.rejects(m.create({ traits: { email: 'x@y.z' }, password: { hashed: 'plain' } }), { code: 400, reason: 'The imported password does not match any known hash format.' });
    await assert.rejects(m.create({ traits: { email: 'x@y.z' }, password: { hashed: '$argon2id$v=19$m=4194304,t=2,p=1$bVI1aE1SaTV6SGQ3bzdXdw$fnjCcZYmEPOUOjYXsT92Cg' } }), {
      code: 400,
      reason: 'The imported password hash declares cost parameters that exceed the bounds enforced by Ory. Re-hash the password with a more conservative configuration before importing.',
    });
    await assert.rejects(m.create({ traits: { email: 'x@y.z' }, password: { hashed: '$argon2id$nonsense' } }), { code: 400, reason: 'The imported password hash could not be parsed.' });
    assert.equal(store.rows.size, 0);
  });

  test('identityToJSON: Kratos key order, schema_url, never the hash', async () => {
    const { m, cfg } = await setup();
    const i = await m.create({ traits: { email: 'a@b.c' }, password: { cleartext: 'pw-123456' } });
    const plain = identityToJSON(i, { config: cfg, credentials: 'none', metadataAdmin: false });
    assert.deepEqual(Object.keys(plain), ['id', 'schema_id', 'schema_url', 'state', 'state_changed_at', 'traits', 'verifiable_addresses', 'recovery_addresses', 'metadata_public', 'created_at', 'updated_at', 'organization_id']);
    assert.equal(plain.schema_url, 'http://localhost:4433/schemas/ZGVmYXVsdA');
    assert.equal(plain.metadata_public, null);
    assert.equal(plain.organization_id, null);
    const admin = identityToJSON(i, { config: cfg, credentials: { withConfig: ['password'] }, metadataAdmin: true });
    assert.deepEqual(Object.keys(admin).slice(0, 3), ['id', 'credentials', 'schema_id']);
    assert.equal(admin.metadata_admin, null);
    const pw = (admin.credentials as any).password;
    assert.deepEqual(Object.keys(pw), ['type', 'identifiers', 'config', 'version', 'created_at', 'updated_at']);
    assert.deepEqual(pw.config, {});
    assert.ok(!JSON.stringify(admin).includes('argon2'));
  });
});

describe('schema drafts and broken schemas', () => {
  const base64 = (o: unknown) => `base64://${Buffer.from(JSON.stringify(o)).toString('base64')}`;
  const traitsSchema = (draft: string) => ({
    $schema: draft,
    type: 'object',
    properties: { traits: { type: 'object', properties: { email: { type: 'string', 'ory.sh/kratos': { credentials: { password: { identifier: true } } } } }, required: ['email'] } },
  });
  async function managerFor(url: string) {
    const values = {
      dev: true,
      dsn: 'memory',
      selfservice: { default_browser_return_url: 'http://localhost:4455/' },
      identity: { default_schema_id: 'default', schemas: [{ id: 'default', url }] },
      secrets: { default: ['porta-test-secret-0123456789abcdef'] },
    };
    const cfg = Config.load({ env: {}, values });
    const schemas = await SchemaRegistry.load(cfg);
    return new IdentityManager({ config: cfg, store: memoryStore(), schemas, hasher: new Hasher(cfg), sessions: sessionsFor(cfg) });
  }

  for (const draft of ['https://json-schema.org/draft/2020-12/schema', 'https://json-schema.org/draft/2019-09/schema', 'http://json-schema.org/draft-04/schema#', 'http://json-schema.org/draft-06/schema#']) {
    test(`${draft} compiles and validates`, async () => {
      const m = await managerFor(base64(traitsSchema(draft)));
      assert.deepEqual(m.passwordIdentifiers('default', { email: 'A@b.c' }), ['a@b.c']);
      assert.equal(m.validateTraits('default', {})[0].message.id, 4000002);
    });
  }

  test('an invalid JSON Schema stops start-up naming the key', async () => {
    await assert.rejects(managerFor(base64({ type: 12 })), (err: Error) => err.message.includes('identity.schemas.0.url'));
  });
});
