import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Configuration, FrontendApi, IdentityApi } from '@ory/client';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';

// Kratos's routers are Go ServeMuxes: a path with `//`, `.` or `..` segments is answered 301 to the cleaned
// path. The reference UI relies on it when KRATOS_PUBLIC_URL ends with a slash, as in Kratos's quickstart
// (it then asks for `//self-service/login/flows?id=...`).
/** One request with the path exactly as given (fetch and inject would resolve the dot segments first). */
function raw(base: string, method: string, path: string): Promise<{ statusCode: number; headers: Record<string, any>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { method, path, headers: method === 'POST' ? { 'content-type': 'application/json' } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

forEachBackend('unclean paths are redirected to the cleaned path, as Go does', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend, listen: true });
  });
  after(() => t.close());

  test('@ory/client with a base URL ending in "/" creates and fetches flows', async () => {
    const api = new FrontendApi(new Configuration({ basePath: `${t.publicURL}/` }));
    const created = await api.createNativeRegistrationFlow();
    assert.equal(created.status, 200);
    assert.equal(created.data.type, 'api');
    const fetched = await api.getRegistrationFlow({ id: created.data.id });
    assert.equal(fetched.data.id, created.data.id);
    const login = await api.createNativeLoginFlow();
    assert.equal((await api.getLoginFlow({ id: login.data.id })).data.id, login.data.id);
    const admin = new IdentityApi(new Configuration({ basePath: `${t.adminURL}/` }));
    assert.ok(Array.isArray((await admin.listIdentities()).data));
  });

  test('GET: 301, Location is the cleaned path with the query kept, Go body, no-cache header', async () => {
    for (const [url, location] of [
      ['//self-service/registration/flows?id=abc', '/self-service/registration/flows?id=abc'],
      ['/self-service//login/flows?id=x&y=1', '/self-service/login/flows?id=x&y=1'],
      ['/self-service/./logout/../login/api', '/self-service/login/api'],
      ['//sessions/whoami/', '/sessions/whoami/'],
      ['/..', '/'],
      // Browsers follow `/\evil.example` like `//evil.example`: escaped, as Go's URL does.
      ['//\\evil.example/x', '/%5Cevil.example/x'],
      ['/./\\/evil.example', '/%5C/evil.example'],
    ]) {
      const res = await raw(t.publicURL, 'GET', url);
      assert.equal(res.statusCode, 301, url);
      assert.equal(res.headers.location, location, url);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(res.headers['cache-control'], 'private, no-cache, no-store, must-revalidate');
      assert.equal(res.body, `<a href="${location.replace(/&/g, '&amp;')}">Moved Permanently</a>.\n\n`);
    }
  });

  test('other methods: 301 without a body; the admin server cleans the path the client sent', async () => {
    const post = await raw(t.publicURL, 'POST', '//self-service/login?flow=abc');
    assert.equal(post.statusCode, 301);
    assert.equal(post.headers.location, '/self-service/login?flow=abc');
    assert.equal(post.body, '');
    for (const url of ['//admin/identities?page_size=1', '//identities?page_size=1']) {
      const res = await raw(t.adminURL, 'GET', url);
      assert.equal(res.statusCode, 301, url);
      assert.equal(res.headers.location, url.slice(1), url);
    }
  });

  test('an absolute-form target is cleaned from its path; a clean one is served', async () => {
    const res = await raw(t.publicURL, 'GET', `${t.publicURL}//health/alive?x=1`);
    assert.equal(res.statusCode, 301);
    assert.equal(res.headers.location, '/health/alive?x=1');
    assert.equal((await raw(t.publicURL, 'GET', `${t.publicURL}/health/alive`)).statusCode, 200);
  });

  test('clean paths are untouched: a trailing slash stays a 404, dot-prefixed names are routed', async () => {
    assert.equal((await t.app.public.inject({ method: 'GET', url: '/self-service/logout/' })).statusCode, 404);
    assert.equal((await t.app.public.inject({ method: 'GET', url: '/.well-known/nothing' })).statusCode, 404);
    assert.equal((await t.app.public.inject({ method: 'GET', url: '/health/alive' })).statusCode, 200);
  });
});
