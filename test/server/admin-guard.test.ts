import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';

// Issue 8, defects 4 (admin API keys) and 5 (cross-site and non-JSON admin requests), through HTTP.

const KEY = 'porta-admin-key-0123456789abcdef';
const OTHER_KEY = 'porta-admin-key-second-abcdef0123';
const PASSWORD = 'a-long-passphrase-9f3k2';

type Res = { statusCode: number; headers: Record<string, unknown>; json(): any; body: string };

function kratosError(res: Res, code: number, status: string): void {
  assert.equal(res.statusCode, code, res.body);
  assert.equal(res.headers['content-type'], 'application/json');
  const body = res.json();
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, code);
  assert.equal(body.error.status, status);
  assert.equal(typeof body.error.message, 'string');
}

const email = () => `guard-${randomBytes(5).toString('hex')}@example.org`;
const createBody = (address: string) =>
  JSON.stringify({ schema_id: 'default', traits: { email: address, website: 'https://www.ory.sh/' }, credentials: { password: { config: { password: PASSWORD } } } });

async function listedIds(t: TestApp, address: string, headers: Record<string, string> = {}): Promise<string[]> {
  const res = await t.app.admin.inject({ method: 'GET', url: `/admin/identities?credentials_identifier=${encodeURIComponent(address)}`, headers });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().map((i: { id: string }) => i.id);
}

/** A native password login through the public API: the status of the submit. */
async function loginStatus(t: TestApp, address: string): Promise<number> {
  const flow = await t.app.public.inject({ method: 'GET', url: '/self-service/login/api' });
  const res = await t.app.public.inject({
    method: 'POST',
    url: `/self-service/login?flow=${flow.json().id}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    payload: JSON.stringify({ method: 'password', identifier: address, password: PASSWORD }),
  });
  return res.statusCode;
}

forEachBackend('admin API: cross-site requests and request bodies (defect 5)', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(() => t.close());

  test('a text/plain POST /admin/identities from a web page creates nothing (the reported exploit)', async () => {
    const address = email();
    const res = await t.app.admin.inject({
      method: 'POST',
      url: '/admin/identities',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      payload: createBody(address),
    });
    kratosError(res as Res, 403, 'Forbidden');
    assert.deepEqual(await listedIds(t, address), []);
    assert.equal(await loginStatus(t, address), 400, 'no identity to log in as');
  });

  test('a body that is not JSON gets 415 in the Kratos format, nothing changes; JSON with parameters works', async () => {
    const address = email();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'not a type', undefined]) {
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      const res = await t.app.admin.inject({ method: 'POST', url: '/admin/identities', headers, payload: createBody(address) });
      kratosError(res as Res, 415, 'Unsupported Media Type');
      assert.match(res.json().error.reason, /only \[application\/json\] are supported/);
    }
    assert.deepEqual(await listedIds(t, address), []);
    const ok = await t.app.admin.inject({ method: 'POST', url: '/admin/identities', headers: { 'content-type': 'Application/JSON; charset=utf-8' }, payload: createBody(address) });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(await loginStatus(t, address), 200);
  });

  test('PATCH takes application/json and application/json-patch+json, nothing else', async () => {
    const created = await t.app.admin.inject({ method: 'POST', url: '/admin/identities', headers: { 'content-type': 'application/json' }, payload: createBody(email()) });
    const id = created.json().id;
    const patch = (value: string) => JSON.stringify([{ op: 'replace', path: '/metadata_public', value: { v: value } }]);
    const refused = await t.app.admin.inject({ method: 'PATCH', url: `/admin/identities/${id}`, headers: { 'content-type': 'text/plain' }, payload: patch('plain') });
    kratosError(refused as Res, 415, 'Unsupported Media Type');
    for (const type of ['application/json', 'application/json-patch+json', 'application/json-patch+json; charset=utf-8']) {
      const res = await t.app.admin.inject({ method: 'PATCH', url: `/admin/identities/${id}`, headers: { 'content-type': type }, payload: patch(type) });
      assert.equal(res.statusCode, 200, `${type}: ${res.body}`);
    }
    const got = await t.app.admin.inject({ method: 'GET', url: `/admin/identities/${id}` });
    assert.deepEqual(got.json().metadata_public, { v: 'application/json-patch+json; charset=utf-8' });
  });

  test('cross-site browser requests are refused with 403 on every admin route, changing nothing', async () => {
    const created = await t.app.admin.inject({ method: 'POST', url: '/admin/identities', headers: { 'content-type': 'application/json' }, payload: createBody(email()) });
    const id = created.json().id;
    const hostile: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'http://localhost:4433' }, // the public server: same site, other origin
      { origin: 'http://localhost:4434', 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of hostile) {
      const del = await t.app.admin.inject({ method: 'DELETE', url: `/admin/identities/${id}`, headers });
      kratosError(del as Res, 403, 'Forbidden');
      const post = await t.app.admin.inject({ method: 'POST', url: '/admin/identities', headers: { ...headers, 'content-type': 'application/json' }, payload: createBody(email()) });
      kratosError(post as Res, 403, 'Forbidden');
      const list = await t.app.admin.inject({ method: 'GET', url: '/identities', headers });
      kratosError(list as Res, 403, 'Forbidden');
    }
    assert.equal((await t.app.admin.inject({ method: 'GET', url: `/admin/identities/${id}` })).statusCode, 200, 'still there');
  });

  test('the admin origin itself, same-origin fetches and clients without Origin (SDKs, curl) are unaffected', async () => {
    for (const headers of [{}, { origin: 'http://localhost:4434' }, { origin: 'http://localhost:4434', 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' }] as Record<string, string>[]) {
      const res = await t.app.admin.inject({ method: 'POST', url: '/admin/identities', headers: { ...headers, 'content-type': 'application/json' }, payload: createBody(email()) });
      assert.equal(res.statusCode, 201, `${JSON.stringify(headers)}: ${res.body}`);
    }
  });

  test("Kratos's admin routes on the public port still answer 307, whatever Origin and Content-Type", async () => {
    for (const [method, url] of [['POST', '/admin/identities'], ['POST', '/identities'], ['GET', '/admin/identities']] as const) {
      const res = await t.app.public.inject({ method, url, headers: { origin: 'https://evil.example', 'content-type': 'text/plain' }, payload: method === 'POST' ? '{}' : undefined });
      assert.equal(res.statusCode, 307, `${method} ${url}`);
      assert.equal(res.headers.location, `http://localhost:4434/admin/identities`);
    }
  });
});

forEachBackend('admin API keys (defect 4)', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend, config: { porta: { admin: { api_keys: [KEY, OTHER_KEY] } } } });
  });
  after(() => t.close());

  test('every admin route but health needs a key: missing, wrong or malformed → 401 in the Kratos format', async () => {
    const routes = ['/admin/identities', '/identities', '/admin/sessions', '/admin/version', '/version', '/admin/schemas', '/admin/no/such/route'];
    const bad = [
      undefined,
      'Bearer',
      'Bearer ',
      `Bearer ${KEY}x`,
      `Bearer ${KEY.slice(0, -1)}`,
      `Basic ${Buffer.from(`x:${KEY}`).toString('base64')}`,
      `Token ${KEY}`,
      KEY,
      `Bearer${KEY}`,
      `Bearer ${KEY} ${KEY}`,
      `Bearer ${'a'.repeat(5000)}`,
    ];
    for (const url of routes) {
      for (const authorization of bad) {
        const res = await t.app.admin.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });
        kratosError(res as Res, 401, 'Unauthorized');
        assert.equal(res.headers['www-authenticate'], 'Bearer');
      }
    }
  });

  test('a refused request changes nothing', async () => {
    const address = email();
    const res = await t.app.admin.inject({ method: 'POST', url: '/admin/identities', headers: { 'content-type': 'application/json', authorization: 'Bearer wrong-key-0123456789abcdef' }, payload: createBody(address) });
    kratosError(res as Res, 401, 'Unauthorized');
    assert.deepEqual(await listedIds(t, address, { authorization: `Bearer ${KEY}` }), []);
  });

  test('either configured key works (scheme case-insensitive); health routes need none, with and without /admin', async () => {
    for (const authorization of [`Bearer ${KEY}`, `bearer ${OTHER_KEY}`, `BEARER   ${KEY}`]) {
      const res = await t.app.admin.inject({ method: 'GET', url: '/admin/identities', headers: { authorization } });
      assert.equal(res.statusCode, 200, `${authorization}: ${res.body}`);
      assert.equal((await t.app.admin.inject({ method: 'GET', url: '/version', headers: { authorization } })).statusCode, 200);
    }
    for (const url of ['/health/alive', '/health/ready', '/admin/health/alive', '/admin/health/ready']) {
      for (const method of ['GET', 'HEAD'] as const) {
        const res = await t.app.admin.inject({ method, url });
        assert.equal(res.statusCode, 200, `${method} ${url}`);
      }
    }
  });

  test('the public server is untouched by admin keys', async () => {
    assert.equal((await t.app.public.inject({ method: 'GET', url: '/version' })).statusCode, 200);
    assert.equal((await t.app.public.inject({ method: 'GET', url: '/admin/identities' })).statusCode, 307);
  });
});
