import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Configuration, IdentityApi } from '@ory/client';
import {
  e2eConfig,
  forEachSpawnBackend,
  freePort,
  spawnPorta,
  startPorta,
  tempDir,
  terminate,
  waitReady,
  writeConfig,
  type PortaProcess,
  type Started,
} from '../helpers/spawn.js';
import { listeningAddresses } from '../helpers/listen.js';
import { failureOf, PASSWORD, traits, uniqueEmail } from './client.js';

// Issue 8, defect 4 against real `porta serve` processes: where the admin server listens, the start-up
// warning, and admin API keys through @ory/client.

const KEY = 'e2e-admin-key-Zq8Kx2pV7mN4tR1w';
const WRONG = 'e2e-wrong-key-Hh3Jj5Kk7Ll9Mm1n';

/** `porta serve -c` with the e2e config minus serve.admin.{host,base_url}, plus `admin`; returns the ports. */
async function serveWithAdmin(admin: Record<string, unknown>, env: Record<string, string> = {}): Promise<{ p: Started; adminPort: number; publicURL: string }> {
  const dir = tempDir();
  const [pub, adm] = [await freePort(), await freePort()];
  const values = e2eConfig(`sqlite://${join(dir, 'p.sqlite')}`, pub, adm);
  values.serve.admin = { port: adm, ...admin };
  const p = startPorta(['serve', '-c', writeConfig(dir, values)], { cwd: dir, env });
  const publicURL = `http://127.0.0.1:${pub}`;
  await waitReady(`${publicURL}/health/ready`, p.exited, 20_000, () => `${p.stdout()}\n${p.stderr()}`);
  return { p, adminPort: adm, publicURL };
}

const adminHostWarnings = (p: Started) => `${p.stdout()}\n${p.stderr()}`.split('\n').filter((l) => l.includes('serve.admin.host'));

describe('admin server binding (spawned porta serve)', () => {
  test('without serve.admin.host the admin API listens on loopback only, and the banner says so', async () => {
    const { p, adminPort } = await serveWithAdmin({});
    try {
      assert.deepEqual(listeningAddresses(adminPort), ['127.0.0.1'], 'bound to 127.0.0.1, not 0.0.0.0');
      assert.equal((await fetch(`http://127.0.0.1:${adminPort}/health/alive`)).status, 200);
      assert.ok(p.stdout().includes(`admin API:  http://127.0.0.1:${adminPort}/`), p.stdout());
      assert.deepEqual(adminHostWarnings(p), [], 'no warning for the default');
    } finally {
      assert.equal((await terminate(p)).code, 0);
    }
  });

  test('an explicit non-loopback serve.admin.host still works and logs exactly one warning', async () => {
    const { p, adminPort } = await serveWithAdmin({ host: '0.0.0.0' });
    try {
      assert.deepEqual(listeningAddresses(adminPort), ['0.0.0.0']);
      const warnings = adminHostWarnings(p);
      assert.equal(warnings.length, 1, `one warning:\n${p.stderr()}`);
      assert.match(warnings[0], /"level":40/);
      assert.match(warnings[0], /porta\.admin\.api_keys/, 'it names the way to require a key');
    } finally {
      assert.equal((await terminate(p)).code, 0);
    }
  });

  test('an explicit loopback host gives no warning; keys from PORTA_ADMIN_API_KEYS are enforced', async () => {
    const { p, adminPort } = await serveWithAdmin({ host: '127.0.0.1' }, { PORTA_ADMIN_API_KEYS: `${KEY},${WRONG}x` });
    try {
      assert.deepEqual(adminHostWarnings(p), []);
      const base = `http://127.0.0.1:${adminPort}`;
      assert.equal((await fetch(`${base}/admin/identities`)).status, 401);
      assert.equal((await fetch(`${base}/admin/identities`, { headers: { authorization: `Bearer ${KEY}` } })).status, 200);
      assert.equal((await fetch(`${base}/admin/identities`, { headers: { authorization: `Bearer ${WRONG}x` } })).status, 200);
    } finally {
      assert.equal((await terminate(p)).code, 0);
    }
    assert.ok(!`${p.stdout()}${p.stderr()}`.includes(KEY), 'the key is never logged');
  });

  test('the reported exploit over the network: a text/plain cross-site POST creates no identity', async () => {
    const { p, adminPort, publicURL } = await serveWithAdmin({});
    try {
      const email = uniqueEmail('evil');
      const body = JSON.stringify({ schema_id: 'default', traits: traits(email), credentials: { password: { config: { password: PASSWORD } } } });
      const res = await fetch(`http://127.0.0.1:${adminPort}/admin/identities`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://evil.example' }, body });
      assert.equal(res.status, 403);
      assert.equal((await res.json()).error.status, 'Forbidden');
      const flow = await (await fetch(`${publicURL}/self-service/login/api`)).json();
      const login = await fetch(`${publicURL}/self-service/login?flow=${flow.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ method: 'password', identifier: email, password: PASSWORD }),
      });
      assert.equal(login.status, 400, 'no such identity to log in as');
    } finally {
      assert.equal((await terminate(p)).code, 0);
    }
  });
});

forEachSpawnBackend('admin API keys through @ory/client (spawned porta serve)', (backend) => {
  let p: PortaProcess;
  before(async () => {
    // trace: every log line Porta can write for these requests, so the check below covers them all.
    p = await spawnPorta({ backend, config: { porta: { admin: { api_keys: [KEY] } }, log: { level: 'trace' } } });
  });
  after(async () => {
    await p.stop();
  });

  test('IdentityApi with accessToken creates, gets, lists, patches and deletes', async () => {
    const api = new IdentityApi(new Configuration({ basePath: p.adminURL, accessToken: KEY }));
    const email = uniqueEmail('keyed');
    const created = await api.createIdentity({ createIdentityBody: { schema_id: 'default', traits: traits(email), credentials: { password: { config: { password: PASSWORD } } } } });
    assert.equal(created.status, 201);
    const id = created.data.id;
    assert.equal((await api.getIdentity({ id })).data.id, id);
    assert.deepEqual((await api.listIdentities({ credentialsIdentifier: email })).data.map((i) => i.id), [id]);
    const patched = await api.patchIdentity({ id, jsonPatch: [{ op: 'replace', path: '/state', value: 'inactive' }] });
    assert.equal(patched.data.state, 'inactive');
    assert.equal((await api.deleteIdentity({ id })).status, 204);
  });

  test('IdentityApi without a key or with a wrong one gets 401 in the Kratos format', async () => {
    for (const config of [{ basePath: p.adminURL }, { basePath: p.adminURL, accessToken: WRONG }]) {
      const api = new IdentityApi(new Configuration(config));
      const res = await failureOf(api.listIdentities({}));
      assert.equal(res.status, 401);
      assert.equal(res.data.error.code, 401);
      assert.equal(res.data.error.status, 'Unauthorized');
      const create = await failureOf(api.createIdentity({ createIdentityBody: { schema_id: 'default', traits: traits(uniqueEmail('nokey')) } }));
      assert.equal(create.status, 401);
    }
  });

  test('raw requests: missing, wrong and malformed Authorization → 401; health needs no key', async () => {
    for (const authorization of [undefined, `Bearer ${WRONG}`, `Basic ${KEY}`, 'Bearer', `Bearer  ${KEY}x`, KEY]) {
      const res = await fetch(`${p.adminURL}/admin/identities`, { headers: authorization ? { authorization } : {} });
      assert.equal(res.status, 401, String(authorization));
      const body = await res.json();
      assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'reason', 'status']);
      assert.equal(body.error.code, 401);
    }
    for (const path of ['/health/alive', '/health/ready', '/admin/health/alive', '/admin/health/ready']) {
      assert.equal((await fetch(`${p.adminURL}${path}`)).status, 200, path);
    }
    assert.equal((await fetch(`${p.adminURL}/version`)).status, 401, 'version is not a health route');
    assert.equal((await fetch(`${p.adminURL}/version`, { headers: { authorization: `Bearer ${KEY}` } })).status, 200);
  });

  test('neither the key nor a wrong one ever appears in the logs', async () => {
    // Requests above ran at log level trace; ask once more so this test stands alone.
    await fetch(`${p.adminURL}/admin/identities`, { headers: { authorization: `Bearer ${KEY}` } });
    await fetch(`${p.adminURL}/admin/identities`, { headers: { authorization: `Bearer ${WRONG}` } });
    await fetch(`${p.adminURL}/admin/nope`, { headers: { authorization: `Bearer ${WRONG}` } });
    const logs = `${p.stdout()}\n${p.stderr()}`;
    assert.match(logs, /"path":"\/admin\/identities"/, 'request lines are written at this level');
    assert.ok(!logs.includes(KEY), 'the configured key is not logged');
    assert.ok(!logs.includes(WRONG), 'a presented key is not logged');
  });
});
