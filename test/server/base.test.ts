import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';

forEachBackend('HTTP base', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({
      backend,
      config: { serve: { public: { cors: { enabled: true, allowed_origins: ['https://*.example.com', 'https://app.test'] } } } },
    });
  });
  after(() => t.close());

  test('unknown routes answer 404 in the Kratos error format', async () => {
    for (const server of [t.app.public, t.app.admin]) {
      const res = await server.inject({ method: 'GET', url: '/does/not/exist' });
      assert.equal(res.statusCode, 404);
      assert.equal(res.headers['content-type'], 'application/json');
      assert.deepEqual(res.json(), { error: { code: 404, status: 'Not Found', message: 'The requested resource could not be found' } });
    }
  });

  test('a wrong method answers 405 with Allow, in the Kratos format', async () => {
    const res = await t.app.public.inject({ method: 'DELETE', url: '/health/alive' });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers.allow, 'GET, HEAD');
    assert.equal(res.json().error.code, 405);
    assert.equal(res.json().error.status, 'Method Not Allowed');
  });

  test('X-Request-ID is echoed into error.request', async () => {
    const res = await t.app.public.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'req-123' } });
    assert.equal(res.json().error.request, 'req-123');
  });

  test('GET responses carry the no-cache header', async () => {
    const res = await t.app.public.inject({ method: 'GET', url: '/health/alive' });
    assert.equal(res.headers['cache-control'], 'private, no-cache, no-store, must-revalidate');
  });

  test('health and version on both servers; admin answers with and without /admin', async () => {
    for (const [server, url] of [
      [t.app.public, '/health/alive'],
      [t.app.public, '/health/ready'],
      [t.app.admin, '/health/ready'],
      [t.app.admin, '/admin/health/alive'],
    ] as const) {
      const res = await server.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.deepEqual(res.json(), { status: 'ok' });
    }
    for (const url of ['/version', '/admin/version']) {
      const res = await t.app.admin.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200);
      assert.match(res.json().version, /^\d+\.\d+\.\d+/);
    }
  });

  test('/health/ready answers 503 while the database is unreachable', async () => {
    const persister = t.app.registry.persister as { ping: () => Promise<void> };
    const original = persister.ping;
    persister.ping = async () => {
      throw new Error('connection refused');
    };
    try {
      const res = await t.app.public.inject({ method: 'GET', url: '/health/ready' });
      assert.equal(res.statusCode, 503);
      assert.ok(res.json().errors);
    } finally {
      persister.ping = original;
    }
  });

  test('bodies over 5 MiB are refused with a 4xx in the Kratos format', async () => {
    const res = await t.app.public.inject({
      method: 'DELETE',
      url: '/self-service/logout/api',
      headers: { 'content-type': 'application/json' },
      payload: `{"session_token":"${'a'.repeat(5 * 1024 * 1024 + 10)}"}`,
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 413);
  });

  test('CORS: exact and label-bounded wildcard origins, credentials allowed', async () => {
    const ok = await t.app.public.inject({
      method: 'OPTIONS',
      url: '/sessions/whoami',
      headers: { origin: 'https://a.example.com', 'access-control-request-method': 'GET' },
    });
    assert.equal(ok.headers['access-control-allow-origin'], 'https://a.example.com');
    assert.equal(ok.headers['access-control-allow-credentials'], 'true');
    const exact = await t.app.public.inject({ method: 'GET', url: '/health/alive', headers: { origin: 'https://app.test' } });
    assert.equal(exact.headers['access-control-allow-origin'], 'https://app.test');
    for (const origin of ['https://evilexample.com', 'https://example.com', 'http://a.example.com', 'https://app.test.evil.com']) {
      const res = await t.app.public.inject({ method: 'GET', url: '/health/alive', headers: { origin } });
      assert.equal(res.headers['access-control-allow-origin'], undefined, origin);
    }
  });

  test('the admin server has no CORS and the public server no admin routes', async () => {
    const res = await t.app.admin.inject({ method: 'GET', url: '/health/alive', headers: { origin: 'https://a.example.com' } });
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });
});
