import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestApp } from '../helpers/harness.js';
import { createIdentity, startIdentityApp } from './helpers.js';

/** Deterministic PRNG (mulberry32) so a failure replays. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELDS = ['schema_id', 'traits', 'credentials', 'verifiable_addresses', 'recovery_addresses', 'metadata_public', 'metadata_admin', 'state', 'organization_id', 'external_id', 'id', 'region'];
const STRINGS = ['', 'x', 'default', 'email', 'active', 'inactive', 'a@b.c', '\u0000', '\ud800', '💥'.repeat(50), 'x'.repeat(5000), '$argon2id$v=19$m=16,t=2,p=1$bVI1aE1SaTV6SGQ3bzdXdw$fnjCcZYmEPOUOjYXsT92Cg', '3f1a9a0e-5b0c-4d5e-9f1a-2b3c4d5e6f70'];

function value(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 3 ? 5 : 8));
  switch (k) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return [0, -1, 1.5, 1e308, Number.MAX_SAFE_INTEGER][Math.floor(r() * 5)];
    case 3:
    case 4: return STRINGS[Math.floor(r() * STRINGS.length)];
    case 5: return Array.from({ length: Math.floor(r() * 3) }, () => value(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(r() * 4); i++) o[[...FIELDS, 'password', 'hashed_password', 'config', 'value', 'via', 'email', 'bar'][Math.floor(r() * 19)]] = value(r, depth + 1);
      return o;
    }
  }
}

forEachBackend('admin identity API: seeded fuzz never answers 5xx', (backend) => {
  let t: TestApp;
  let id: string;
  before(async () => {
    t = await startIdentityApp(backend);
    id = (await createIdentity(t, { traits: { email: 'fuzz@ory.sh' }, credentials: { password: { config: { password: 'fuzz-password' } } } })).id;
  });
  after(() => t.close());

  test('random create, update, patch and list requests', async () => {
    // PORTA_FUZZ_SEED / PORTA_FUZZ_ROUNDS explore further; the default run is fixed and quick.
    const r = rng(Number(process.env.PORTA_FUZZ_SEED ?? 20261124));
    const failures: string[] = [];
    for (let i = 0; i < Number(process.env.PORTA_FUZZ_ROUNDS ?? 250); i++) {
      const body: Record<string, unknown> = {};
      for (const f of FIELDS) if (r() < 0.35) body[f] = value(r);
      if (r() < 0.5) body.traits = { email: `f${i}@ory.sh`, bar: value(r) };
      const ops = Array.from({ length: 1 + Math.floor(r() * 2) }, () => ({
        op: ['add', 'replace', 'remove', 'move', 'copy', 'test', 'nope'][Math.floor(r() * 7)],
        path: ['/traits/email', '/traits', '/state', '/schema_id', '/metadata_public/x', '/credentials/password/config/hashed_password', '/verifiable_addresses/0', '/external_id', '/organization_id', ''][Math.floor(r() * 10)],
        from: r() < 0.3 ? '/traits/email' : undefined,
        value: value(r),
      }));
      const q = ['page=' + Math.floor(r() * 5), 'per_page=' + value(r), 'page_size=' + value(r), 'ids=' + value(r), 'credentials_identifier=' + value(r), 'include_credential=' + value(r)].filter(() => r() < 0.4).join('&');
      const requests = [
        { method: 'POST', url: '/admin/identities', payload: JSON.stringify(r() < 0.9 ? body : value(r)) },
        { method: 'PUT', url: `/admin/identities/${id}`, payload: JSON.stringify(body) },
        { method: 'PATCH', url: `/admin/identities/${id}`, payload: JSON.stringify(r() < 0.9 ? ops : value(r)) },
        { method: 'GET', url: `/admin/identities?${encodeURI(q.replace(/[\ud800-\udfff]/g, '\ufffd'))}` },
        { method: 'GET', url: `/admin/identities/${encodeURIComponent(String(value(r)).replace(/[\ud800-\udfff]/g, '\ufffd'))}?include_credential=${encodeURIComponent(String(value(r)).replace(/[\ud800-\udfff]/g, ''))}` },
        { method: 'DELETE', url: `/admin/identities/${encodeURIComponent(String(value(r)).replace(/[\ud800-\udfff]/g, ''))}/credentials/${['password', 'totp', '__proto__', 'constructor'][Math.floor(r() * 4)]}` },
      ] as const;
      for (const req of requests) {
        const res = await t.app.admin.inject({ method: req.method, url: req.url, payload: 'payload' in req ? req.payload : undefined, headers: { 'content-type': 'application/json' } });
        if (res.statusCode >= 500) failures.push(`${req.method} ${req.url} ${'payload' in req ? req.payload.slice(0, 300) : ''} → ${res.statusCode}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  test('random schema ids on the public server', async () => {
    const r = rng(7);
    for (let i = 0; i < 200; i++) {
      const id = encodeURIComponent(String(value(r)).replace(/[\ud800-\udfff]/g, ''));
      const res = await t.app.public.inject({ method: 'GET', url: `/schemas/${id}` });
      assert.ok(res.statusCode === 200 || (res.statusCode >= 400 && res.statusCode < 500), `${id.slice(0, 80)} → ${res.statusCode}`);
      const enc = (v: unknown) => encodeURIComponent(String(v).replace(/[\ud800-\udfff]/g, ''));
      const list = await t.app.public.inject({ method: 'GET', url: `/schemas?page=${enc(value(r))}&per_page=${enc(value(r))}&page_token=${encodeURIComponent(String(value(r)).replace(/[\ud800-\udfff]/g, ''))}` });
      assert.ok(list.statusCode < 500, `list → ${list.statusCode} ${list.body.slice(0, 200)}`);
    }
  });
});
