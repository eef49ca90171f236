import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const NOT_FOUND = '{"error":{"code":404,"status":"Not Found","message":"Unable to locate the resource"}}\n';
const GO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

forEachBackend('self-service errors', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend, config: { selfservice: { flows: { error: { ui_url: 'http://localhost:4455/error?b=2&a=x%20y' } } } } });
  });
  after(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.app.public.inject({ method: 'GET', url, headers });

  test('stub:500 (as ?error= and ?id=) gives Kratos\'s stub container', async () => {
    for (const q of ['error=stub:500', 'id=stub:500', 'error=&id=stub:500']) {
      const res = await get(`/self-service/errors?${q}`);
      assert.equal(res.statusCode, 200, q);
      assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
      const body = res.json();
      assert.match(body.id, new RegExp(`^${UUID}$`));
      assert.deepEqual(body.error, {
        code: 500,
        status: 'Internal Server Error',
        reason: 'This is a stub error.',
        message: 'An internal server error occurred, please contact the system administrator',
      });
      assert.equal(body.created_at, '0001-01-01T00:00:00Z');
    }
  });

  test('unknown, unparseable or missing ids give 404 Unable to locate the resource', async () => {
    for (const q of ['?id=8f3c1f7e-2f4c-4d7a-9a53-0e6f9b0c4c11', '?id=does-not-exist', '?error=BADUUID', '', '?id=', '?id=%27%20OR%201%3D1']) {
      const res = await get(`/self-service/errors${q}`);
      assert.equal(res.statusCode, 404, q);
      assert.equal(res.body, NOT_FOUND);
      // herodot: errors are `application/json` without a charset (successes carry one).
      assert.equal(res.headers['content-type'], 'application/json');
    }
  });

  test('bad percent-encoding is a 400, not a 500', async () => {
    const res = await get('/self-service/errors?id=%zz');
    assert.equal(res.statusCode, 400);
  });

  test('a browser error is stored and the browser is sent 303 to ui_url?id= (existing query kept, keys sorted, Go encoding)', async () => {
    const res = await get('/self-service/logout/browser', { accept: BROWSER });
    assert.equal(res.statusCode, 303);
    const location = String(res.headers.location);
    const m = new RegExp(`^http://localhost:4455/error\\?a=x\\+y&b=2&id=(${UUID})$`).exec(location);
    assert.ok(m, location);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.body, `<a href="${location.replace(/&/g, '&amp;')}">See Other</a>.\n\n`);

    const c = await get(`/self-service/errors?id=${m[1]}`);
    assert.equal(c.statusCode, 200);
    const body = c.json();
    assert.deepEqual(Object.keys(body), ['id', 'error', 'created_at', 'updated_at']);
    assert.equal(body.id, m[1]);
    assert.deepEqual(body.error, {
      id: 'session_inactive',
      code: 401,
      status: 'Unauthorized',
      reason: 'No active session was found in this request.',
      message: 'request does not have a valid authentication session',
    });
    assert.match(body.created_at, GO_TIME);
    assert.match(body.updated_at, GO_TIME);
    // Read again: still there (Kratos only marks it seen).
    assert.equal((await get(`/self-service/errors?error=${m[1]}`)).statusCode, 200);
  });

  test('JSON clients get the error body directly (nothing stored)', async () => {
    const res = await get('/self-service/logout/browser', { accept: 'application/json' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers.location, undefined);
    assert.equal(res.json().error.id, 'session_inactive');
  });

  test('when the container cannot be stored, the browser gets the JSON error instead of a broken redirect', async () => {
    const store = t.app.registry.persister.errors;
    const original = store.createError;
    store.createError = async () => {
      throw new Error('disk full');
    };
    try {
      const res = await get('/self-service/logout/browser', { accept: BROWSER });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error.reason, 'No active session was found in this request.');
    } finally {
      store.createError = original;
    }
  });

  test('the admin route answers 307 to the public one, query kept', async () => {
    for (const url of ['/admin/self-service/errors?id=abc', '/self-service/errors?id=abc']) {
      const res = await t.app.admin.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 307, url);
      assert.equal(res.headers.location, 'http://localhost:4433/self-service/errors?id=abc');
    }
  });

  test('other methods give a Kratos 405', async () => {
    const res = await t.app.public.inject({ method: 'DELETE', url: '/self-service/errors?id=x' });
    assert.ok(res.statusCode === 405 || res.statusCode === 403, String(res.statusCode));
  });
});
