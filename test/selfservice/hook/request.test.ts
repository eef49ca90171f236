import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CaptureServer, b64 } from '../../helpers/capture.js';
import { CookieJar } from '../../helpers/jar.js';
import { CSRF_NAME, FORM, browserFlow, csrfOf, post } from '../login/helpers.js';
import { FAST_CLIENT, PASSWORD, TEMPLATE_H, adminGet, registerAPI, uniqueEmail } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REASON_502 = 'A third-party upstream service responded improperly. Please try again later.';
const REASON_504 = 'A third-party upstream service could not be reached. Please try again later.';

// Part D cases 1-4, 7, 9, 10, 17, 18, 20, 21, 22 (registration after password, before `session`).
forEachBackend('web_hook request and retries', (backend) => {
  let t: TestApp;
  let r: CaptureServer;
  before(async () => {
    r = await CaptureServer.start();
    t = await startApp({
      backend,
      config: {
        selfservice: {
          flows: {
            registration: {
              after: {
                password: {
                  hooks: [
                    {
                      hook: 'web_hook',
                      config: {
                        url: r.url('/hook'),
                        method: 'POST',
                        headers: { 'X-A': '1', 'my-key': 'static' },
                        auth: { type: 'api_key', config: { name: 'My-Key', value: 'v', in: 'header' } },
                        body: b64(TEMPLATE_H),
                      },
                    },
                    { hook: 'session' },
                  ],
                },
              },
            },
          },
        },
        porta: FAST_CLIENT,
      },
    });
  });
  after(async () => {
    await r.close();
    await t?.close();
  });
  beforeEach(() => r.reset());

  test('1-4, 7, 10: one POST with ctx, tracing ids, auth over the static header, allow-listed headers only', async () => {
    const { res, flowId } = await registerAPI(t, { transient_payload: { x: [1, 2] } }, { 'user-agent': 'UA-1', 'x-secret': 's', authorization: 'Bearer t' });
    assert.equal(res.status, 200, res.body);
    const out = res.json();
    assert.ok(out.session_token, 'the session hook ran after the web hook');
    assert.equal(r.requests.length, 1);
    const got = r.requests[0];
    assert.equal(got.method, 'POST');
    assert.equal(got.path, '/hook');
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers['x-a'], '1');
    assert.equal(got.headers['my-key'], 'v');
    assert.match(String(got.headers['ory-webhook-request-id']), UUID);
    assert.match(String(got.headers['ory-webhook-trigger-id']), UUID);
    const body = r.json();
    assert.equal(body.identity_id, out.identity.id);
    assert.equal(body.flow_id, flowId);
    assert.equal(body.method, 'POST');
    assert.equal(body.url, `http://localhost:80/self-service/registration?flow=${flowId}`);
    assert.equal(body.session_id, null);
    assert.deepEqual(body.headers, { 'User-Agent': ['UA-1'], 'Content-Type': ['application/json'], Accept: ['application/json'], 'Content-Length': [body.headers['Content-Length'][0]] });
    assert.deepEqual(body.tp, { x: [1, 2] });
    // Go's manifest: sorted keys, three-space indentation, a trailing newline.
    assert.ok(got.body.startsWith('{\n   "cookies": { },\n'), got.body);
    assert.ok(got.body.endsWith('}\n'));

    await registerAPI(t);
    assert.equal(r.json(1).tp, null);
  });

  test('9: request_cookies carries the browser cookies but never Porta\'s CSRF or session cookie', async () => {
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'registration', jar);
    const cookie = `${jar.header()}; a=1; b=2; ory_kratos_session=forged`;
    const res = await post(t, `/self-service/registration?flow=${flow.id}`, new URLSearchParams({
      csrf_token: csrfOf(flow), method: 'password', password: PASSWORD, 'traits.email': uniqueEmail(), 'traits.website': 'https://www.ory.sh',
    }).toString(), { 'content-type': FORM, cookie });
    assert.equal(res.status, 303, res.body);
    assert.ok(cookie.includes(CSRF_NAME));
    assert.deepEqual(r.json().cookies, { a: '1', b: '2' });
  });

  test('17, 21: 4xx and 501 are not retried and answer 502 with Kratos\'s reason', async () => {
    for (const status of [400, 499, 501]) {
      r.reset();
      r.otherwise({ status, body: '{"messages":[]}' });
      const { res } = await registerAPI(t);
      assert.equal(res.status, 502, res.body);
      assert.equal(res.json().error.reason, REASON_502);
      assert.equal(r.requests.length, 1, `status ${status}`);
    }
    r.reset();
    r.answer({ status: 299 }, { status: 300 });
    assert.equal((await registerAPI(t)).res.status, 200);
    assert.equal((await registerAPI(t)).res.status, 200);
  });

  test('18: 500 three times: exactly 3 attempts, one trigger id, 3 request ids, then 502 [D1]', async () => {
    r.otherwise({ status: 500 });
    const { res, email } = await registerAPI(t);
    assert.equal(res.status, 502, res.body);
    assert.equal(res.json().error.reason, REASON_502);
    assert.equal(r.requests.length, 3);
    assert.equal(new Set(r.requests.map((q) => q.headers['ory-webhook-trigger-id'])).size, 1);
    assert.equal(new Set(r.requests.map((q) => q.headers['ory-webhook-request-id'])).size, 3);
    // Post-persist: the identity exists (as in Kratos), no session was handed out.
    const ids = await adminGet(t, `/admin/identities?credentials_identifier=${encodeURIComponent(email)}`);
    assert.equal(ids.json().length, 1);
  });

  test('19, 20: 503 then 200 succeeds; a huge Retry-After is capped at retry_wait_max [D3]', async () => {
    r.answer({ status: 503 });
    assert.equal((await registerAPI(t)).res.status, 200);
    assert.equal(r.requests.length, 2);
    r.reset();
    r.answer({ status: 429, headers: { 'retry-after': '3600' } });
    assert.equal((await registerAPI(t)).res.status, 200);
    assert.equal(r.requests.length, 2);
  });

  test('22: a receiver that never answers: 3 attempts, then 504', async () => {
    r.otherwise({ hang: true });
    const { res } = await registerAPI(t);
    assert.equal(res.status, 504, res.body);
    assert.equal(res.json().error.reason, REASON_504);
    assert.equal(r.requests.length, 3);
  });
});
