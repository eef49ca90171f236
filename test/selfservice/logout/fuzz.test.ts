import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { seedLogin } from '../../helpers/seed.js';
import { whoami } from './helpers.js';

/** A small deterministic PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['%', '%0', '%zz', '%00', '%ff', '%C3%A9', '%E0%A4', '%2F', '%5C', '/', '\\', '//', '@', '#', '?', '&', '=', ';', ' ', '+', ':', 'http:', 'https://', 'evil.com', 'localhost:4455', 'ory_lo_', 'ory_st_', 'return_to=', 'token=', '..', '*', '"', "'", '<', '>', '\u00e9', '\u3002', 'A'.repeat(300)];

// Contract "Bad input": whatever arrives, the logout endpoints answer 4xx/2xx/3xx, never 5xx, and a
// session is only ever ended by a valid logout of it.
forEachBackend('logout endpoints under random input', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(() => t.close());

  test('1000 random requests: no 5xx, the bystander session survives', async () => {
    const next = rng(4242);
    const pick = <T>(a: T[]) => a[Math.floor(next() * a.length)];
    const junk = (n: number) => Array.from({ length: 1 + Math.floor(next() * n) }, () => pick(PIECES)).join('');
    const bystander = await seedLogin(t);
    const victim = await seedLogin(t);
    for (let i = 0; i < 1000; i++) {
      const headers: Record<string, string> = {};
      if (next() < 0.5) headers.cookie = next() < 0.5 ? `${t.config.sessionCookie.name}=${junk(4)}` : bystander.cookie.slice(0, Math.floor(next() * bystander.cookie.length));
      if (next() < 0.3) headers['x-session-token'] = junk(3);
      if (next() < 0.3) headers.authorization = `Bearer ${junk(3)}`;
      if (next() < 0.5) headers.accept = pick(['application/json', 'text/html', '*/*', junk(2)]);
      const kind = next();
      let res;
      if (kind < 0.4) {
        res = await t.app.public.inject({ method: 'GET', url: `/self-service/logout?token=${junk(4)}&return_to=${junk(6)}`, headers });
      } else if (kind < 0.7) {
        res = await t.app.public.inject({ method: 'GET', url: `/self-service/logout/browser?return_to=${junk(6)}&${junk(2)}`, headers });
      } else {
        headers['content-type'] = pick(['application/json', 'application/json; charset=utf-8', 'text/plain', junk(2)]);
        const payload = pick([`{"session_token":"${junk(3)}"}`, junk(5), `{"session_token":${junk(2)}}`, '']);
        res = await t.app.public.inject({ method: 'DELETE', url: '/self-service/logout/api', headers, payload });
      }
      assert.ok(res.statusCode < 500, `#${i}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    assert.equal(await whoami(t, { cookie: bystander.cookie }), 200);
    assert.equal(await whoami(t, { cookie: victim.cookie }), 200);
  });
});
