import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedDefaults } from '../../src/cmd/defaults.js';
import { startApp, type TestApp } from '../helpers/harness.js';

/** /ui/verification without a browser: where it sends the browser, and what it refuses to carry along. */
describe('the verification page: starting a flow', () => {
  let t: TestApp;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'porta-vpage-'));
    t = await startApp({ baseConfig: () => embeddedDefaults(dir) });
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const get = (url: string, cookie?: string) =>
    t.app.public.inject({ method: 'GET', url, headers: { host: t.config.publicBaseURL.host, ...(cookie ? { cookie } : {}) } });
  const pub = 'http://127.0.0.1:4433';

  test('without ?flow= the browser goes to the API to start one; an unknown flow starts a new one', async () => {
    const res = await get('/ui/verification');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${pub}/self-service/verification/browser`);
    const stale = await get('/ui/verification?flow=00000000-0000-4000-8000-000000000000');
    assert.equal(stale.statusCode, 303);
    assert.equal(stale.headers.location, `${pub}/self-service/verification/browser`);
  });

  test('?email= starts the flow through the API (CSRF cookie forwarded) and fills the address in; nothing is sent', async () => {
    const email = 'fill-me@example.org';
    const res = await get(`/ui/verification?email=${encodeURIComponent(email)}`);
    assert.equal(res.statusCode, 303);
    const loc = new URL(res.headers.location as string, pub);
    assert.equal(loc.pathname, '/ui/verification');
    assert.equal(loc.searchParams.get('email'), email);
    const flow = loc.searchParams.get('flow');
    assert.ok(flow);
    const setCookie = [res.headers['set-cookie'] ?? []].flat().map(String);
    const csrf = setCookie.find((c) => c.startsWith('csrf_token'));
    assert.ok(csrf, setCookie.join('\n'));

    const page = await get(loc.pathname + loc.search, csrf.split(';')[0]);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1 id="page-title">Verify your email address<\/h1>/);
    assert.match(page.body, new RegExp(`id="f-email" type="email" name="email" value="${email.replace(/\./g, '\\.')}"`));
    assert.match(page.body, /name="csrf_token" value="[^"]+"/);
    assert.equal((await t.app.registry.persister.courier.listMessages({ limit: 10 })).length, 0);
  });

  test('an over-long ?email= is not carried along (the plain start instead)', async () => {
    const res = await get(`/ui/verification?email=${'a'.repeat(400)}%40example.org`);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${pub}/self-service/verification/browser`);
  });
});
