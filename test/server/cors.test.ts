import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { seedLogin } from '../helpers/seed.js';

const EVIL = 'https://evil.example';

// Issue 8, defect 3: with the default `allowed_origins: ['*']` Kratos (rs/cors) answers the literal `*`,
// which browsers refuse for credentialed requests; echoing the caller's origin would hand any site the
// whoami body and the logout token.
forEachBackend('CORS with the default `*` answers a literal `*`', (backend) => {
  let t: TestApp;
  let cookie: string;
  before(async () => {
    t = await startApp({ backend, config: { serve: { public: { cors: { enabled: true } } } } });
    cookie = (await seedLogin(t)).cookie;
  });
  after(() => t.close());

  test('whoami and the browser logout flow never echo an arbitrary origin', async () => {
    for (const url of ['/sessions/whoami', '/self-service/logout/browser']) {
      const res = await t.app.public.inject({ method: 'GET', url, headers: { origin: EVIL, cookie, accept: 'application/json' } });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['access-control-allow-origin'], '*', url);
      // rs/cors still sends the credentials flag; with `*` browsers refuse the credentialed response.
      assert.equal(res.headers['access-control-allow-credentials'], 'true', url);
      assert.match(String(res.headers.vary), /\bOrigin\b/);
    }
  });

  test('a preflight answers `*`, the requested method and headers, and no max-age when it is 0', async () => {
    const res = await t.app.public.inject({
      method: 'OPTIONS',
      url: '/sessions/whoami',
      headers: { origin: EVIL, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-session-token' },
    });
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.headers['access-control-allow-methods'], 'GET');
    assert.equal(res.headers['access-control-allow-headers'], 'x-session-token');
    assert.equal(res.headers['access-control-max-age'], undefined);
    assert.equal(res.body, '');
  });

  test('an OPTIONS request that is no preflight gets a Kratos-format answer, not a text/plain 400', async () => {
    const res = await t.app.public.inject({ method: 'OPTIONS', url: '/sessions/whoami', headers: { origin: EVIL } });
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.json().error.code, res.statusCode);
  });
});

forEachBackend('CORS with listed origins echoes the matched origin', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({
      backend,
      config: { serve: { public: { cors: { enabled: true, allowed_origins: ['https://app.test', 'https://*.example.com'], max_age: 600 } } } },
    });
  });
  after(() => t.close());

  test('explicit and `*.` entries are echoed with credentials; others get no CORS headers', async () => {
    for (const origin of ['https://app.test', 'https://a.example.com']) {
      const res = await t.app.public.inject({ method: 'GET', url: '/sessions/whoami', headers: { origin } });
      assert.equal(res.headers['access-control-allow-origin'], origin);
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
    }
    const evil = await t.app.public.inject({ method: 'GET', url: '/sessions/whoami', headers: { origin: EVIL } });
    assert.equal(evil.headers['access-control-allow-origin'], undefined);
    assert.equal(evil.headers['access-control-allow-credentials'], undefined);
  });

  test('a configured max_age is sent on preflights; a refused preflight carries no CORS headers', async () => {
    const ok = await t.app.public.inject({ method: 'OPTIONS', url: '/sessions/whoami', headers: { origin: 'https://app.test', 'access-control-request-method': 'GET' } });
    assert.equal(ok.headers['access-control-max-age'], '600');
    assert.equal(ok.headers['access-control-allow-origin'], 'https://app.test');
    const refused = await t.app.public.inject({ method: 'OPTIONS', url: '/sessions/whoami', headers: { origin: EVIL, 'access-control-request-method': 'GET' } });
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
    assert.equal(refused.headers['access-control-max-age'], undefined);
    const badMethod = await t.app.public.inject({ method: 'OPTIONS', url: '/sessions/whoami', headers: { origin: 'https://app.test', 'access-control-request-method': 'TRACE' } });
    assert.equal(badMethod.headers['access-control-allow-origin'], undefined);
  });
});

describe('CORS off', () => {
  test('no CORS headers at all when serve.public.cors.enabled is false', async () => {
    const t = await startApp({});
    try {
      const res = await t.app.public.inject({ method: 'GET', url: '/sessions/whoami', headers: { origin: EVIL } });
      assert.equal(res.headers['access-control-allow-origin'], undefined);
    } finally {
      await t.close();
    }
  });
});
