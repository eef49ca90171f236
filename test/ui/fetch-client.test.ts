import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { createServer, type Servers } from '../../src/http/server.js';
import { createLogger } from '../../src/x/logger.js';
import { registerUI } from '../../src/ui/index.js';
import { FetchApiClient } from '../../src/ui/fetch-client.js';

/**
 * The UI is an ordinary API client: the same pages, served by a separate server and talking to a
 * listening Porta over the network, work unchanged. This is what makes the built-in UI swappable.
 */
forEachBackend('the UI against Porta over the network (FetchApiClient)', (backend) => {
  let t: TestApp;
  let ui: Servers;
  before(async () => {
    t = await startApp({ backend, listen: true });
    const logger = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    ui = { public: await createServer({ kind: 'public', logger }), admin: await createServer({ kind: 'admin', logger }) };
    registerUI(ui, { config: t.config }, { client: new FetchApiClient(t.config.publicBaseURL) });
    await ui.public.ready();
  });
  after(async () => {
    await ui?.public.close();
    await ui?.admin.close();
    await t?.close();
  });

  test('a real login flow renders, posting to the API, with the API cookie forwarded', async () => {
    const init = await fetch(`${t.publicURL}/self-service/login/browser`, { redirect: 'manual', headers: { accept: 'text/html' } });
    assert.equal(init.status, 303);
    const flowId = new URL(init.headers.get('location') ?? '', t.publicURL).searchParams.get('flow');
    assert.ok(flowId);
    const cookie = init.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const page = await ui.public.inject({ method: 'GET', url: `/ui/login?flow=${flowId}`, headers: { cookie } });
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(`action="${t.publicURL}/self-service/login?flow=${flowId}"`));
    assert.match(page.body, /<input type="hidden" name="csrf_token" value="[A-Za-z0-9+/=]{88}">/);
    assert.match(page.body, /<label for="f-identifier">Your E-Mail/);

    const withoutCookie = await ui.public.inject({ method: 'GET', url: `/ui/login?flow=${flowId}` });
    assert.equal(withoutCookie.statusCode, 303, 'a flow read without its CSRF cookie starts a new one');
    assert.equal(withoutCookie.headers.location, `${t.publicURL}/self-service/login/browser`);
  });

  test('signed out goes to login; error containers render', async () => {
    const welcome = await ui.public.inject({ method: 'GET', url: '/ui/welcome' });
    assert.equal(welcome.statusCode, 303);
    assert.equal(welcome.headers.location, '/ui/login');
    const err = await ui.public.inject({ method: 'GET', url: '/ui/error?id=stub:500' });
    assert.equal(err.statusCode, 200);
    assert.match(err.body, /This is a stub error./);
  });

  test('with porta.ui.enabled: false Porta serves no /ui/ at all', async () => {
    for (const url of ['/ui/', '/ui/welcome', '/ui/style.css']) {
      const res = await t.app.public.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
      assert.match(res.headers['content-type'] as string, /application\/json/);
    }
  });
});
