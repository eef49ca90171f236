import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { forEachBackend, referenceConfig, type TestApp } from '../helpers/harness.js';
import { Config } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/load.js';
import { SchemaRegistry } from '../../src/schema/registry.js';
import { startIdentityApp } from '../identity/helpers.js';

const EMAIL_RAW = readFileSync(fileURLToPath(new URL('../fixtures/identity.email.schema.json', import.meta.url)));
const b64url = (s: string) => Buffer.from(s).toString('base64url');

forEachBackend('identity schemas (flows spec §1.11, case 100)', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startIdentityApp(backend);
  });
  after(() => t.close());

  test('GET /schemas/{id} by id and by base64url(id): the raw file bytes as application/json', async () => {
    for (const id of ['email', b64url('email'), b64url('preset://email')]) {
      const res = await t.app.public.inject({ method: 'GET', url: `/schemas/${id}` });
      assert.equal(res.statusCode, 200, id);
      assert.equal(res.headers['content-type'], 'application/json');
      assert.deepEqual(res.rawPayload, EMAIL_RAW);
    }
  });

  test('unknown schema → 404 with Kratos reason', async () => {
    const res = await t.app.public.inject({ method: 'GET', url: `/schemas/${b64url('nope')}` });
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { error: { code: 404, status: 'Not Found', reason: 'Identity schema `nope` could not be found.', message: 'The requested resource could not be found' } });
  });

  test('GET /schemas lists in config order with X-Total-Count and Link; per_page pages', async () => {
    const res = await t.app.public.inject({ method: 'GET', url: '/schemas?page=0&per_page=10' });
    assert.equal(res.statusCode, 200);
    const list = res.json();
    assert.deepEqual(list.map((s: any) => s.id), ['default', 'email', 'strict', 'preset://email']);
    assert.deepEqual(list[1].schema, JSON.parse(EMAIL_RAW.toString()));
    assert.equal(res.headers['x-total-count'], '4');
    assert.ok(res.headers.link);
    for (let page = 0; page < 4; page++) {
      const one = await t.app.public.inject({ method: 'GET', url: `/schemas?page=${page}&per_page=1` });
      assert.deepEqual(one.json().map((s: any) => s.id), [list[page].id]);
    }
    assert.deepEqual((await t.app.public.inject({ method: 'GET', url: '/schemas?page=9&per_page=1' })).json(), []);
  });

  test('admin port: /schemas answers 307 to the public URL; other methods 405', async () => {
    const res = await t.app.admin.inject({ method: 'GET', url: '/admin/schemas/ZW1haWw?x=1' });
    assert.equal(res.statusCode, 307);
    assert.equal(res.headers.location, 'http://localhost:4433/schemas/ZW1haWw?x=1');
    const list = await t.app.admin.inject({ method: 'GET', url: '/schemas' });
    assert.equal(list.headers.location, 'http://localhost:4433/schemas');
    assert.equal((await t.app.public.inject({ method: 'POST', url: '/schemas' })).statusCode, 405);
  });
});

describe('schema registry start-up', () => {
  const load = (schemas: Array<{ id: string; url: string }>) =>
    SchemaRegistry.load(Config.load({ env: {}, values: { ...referenceConfig(), dsn: 'memory', identity: { default_schema_id: schemas[0].id, schemas } } }));

  test('base64:// and plain paths load; lookup by id and base64url(id)', async () => {
    const r = await load([
      { id: 'inline', url: `base64://${Buffer.from('{"type":"object"}').toString('base64')}` },
      { id: 'plain', url: fileURLToPath(new URL('../fixtures/identity.email.schema.json', import.meta.url)) },
    ]);
    assert.equal(r.get('inline')?.raw.toString(), '{"type":"object"}');
    assert.equal(r.get(b64url('plain'))?.id, 'plain');
    assert.equal(r.defaultId, 'inline');
    assert.equal(r.get('missing'), undefined);
  });

  test('a missing file or invalid JSON stops start-up naming the key', async () => {
    await assert.rejects(load([{ id: 'default', url: 'file:///does/not/exist.json' }]), (err: Error) => err instanceof ConfigError && err.message.includes('identity.schemas.0.url'));
    await assert.rejects(load([{ id: 'default', url: `base64://${Buffer.from('{nope').toString('base64')}` }]), (err: Error) => err instanceof ConfigError && err.message.includes('identity.schemas.0.url'));
    await assert.rejects(load([{ id: 'default', url: 'https://example.com/s.json' }]), ConfigError);
  });
});
