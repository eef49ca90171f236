import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureServer } from '../../helpers/capture.js';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CookieJar } from '../../helpers/jar.js';
import { apiFlow, browserFlow, csrfOf, nodeOf, submitAPI, submitForm } from '../login/helpers.js';

const PASSWORD = 'l3f9toh1uaf81n21';
const NIL = '00000000-0000-0000-0000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UPSTREAM = 'A third-party upstream service responded improperly. Please try again later.';
let n = 0;
const email = () => `hook-${process.pid}-${++n}@example.org`;
const b64 = (tpl: string) => `base64://${Buffer.from(tpl).toString('base64')}`;
const BODY = b64(`function(ctx) {
  flow_id: ctx.flow.id,
  identity_id: if std.objectHas(ctx, "identity") then ctx.identity.id,
  session_id: if std.objectHas(ctx, "session") then ctx.session.id,
  headers: ctx.request_headers, url: ctx.request_url, method: ctx.request_method, cookies: ctx.request_cookies,
  tp: if std.objectHas(ctx.flow, "transient_payload") then ctx.flow.transient_payload,
}`);
// A generous template limit: two shared cores must not turn a normal evaluation into a time-out.
const FAST = { porta: { web_hook: { retry_wait_min: '10ms', retry_wait_max: '40ms', jsonnet_timeout: '5s' } } };

/** An app whose registration (password) runs `hooks` then `session`. */
function regHooks(hooks: unknown[], extra: Record<string, any> = {}) {
  return { ...FAST, ...extra, selfservice: { flows: { registration: { after: { password: { hooks: [...hooks, { hook: 'session' }] } } } } } };
}

async function register(t: TestApp, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const flow = await apiFlow(t, 'registration');
  const res = await submitAPI(t, 'registration', flow.id, { method: 'password', password: PASSWORD, traits: { email: email(), website: 'https://www.ory.sh' }, ...body }, headers);
  return { flow, res };
}

forEachBackend('web_hook on registration', (backend) => {
  let r: CaptureServer;
  const apps: TestApp[] = [];
  const app = async (config: Record<string, any>) => {
    const t = await startApp({ backend, config });
    apps.push(t);
    return t;
  };
  before(async () => {
    r = await CaptureServer.start();
  });
  after(async () => {
    for (const t of apps) await t.close();
    await r.close();
  });
  const reset = () => {
    r.requests.length = 0;
    r.script.length = 0;
    r.fallback = { status: 200 };
  };

  test('D1-D4, D7, D10: request from the template, tracing ids, auth kinds, filtered headers, after the identity exists', async () => {
    reset();
    const t = await app(
      regHooks([
        { hook: 'web_hook', config: { url: `${r.url}/hook`, method: 'POST', body: BODY, headers: { 'X-A': '1', 'My-Key': 'x' }, auth: { type: 'api_key', config: { name: 'My-Key', value: 'v', in: 'header' } } } },
        { hook: 'web_hook', config: { url: `${r.url}/basic`, method: 'PUT', body: BODY, auth: { type: 'basic_auth', config: { user: 'user', password: 'pw' } } } },
        { hook: 'web_hook', config: { url: `${r.url}/cookie`, method: 'POST', body: BODY, auth: { type: 'api_key', config: { name: 'K', value: 'c', in: 'cookie' } } } },
      ]),
    );
    const { flow, res } = await register(t, { transient_payload: { x: [1, 2] } }, { 'user-agent': 'UA-1', 'x-secret': 's', authorization: 'Bearer t' });
    assert.equal(res.status, 200, res.body);
    const out = res.json();
    assert.ok(out.session_token, 'the session hook ran after the web hook');
    assert.equal(r.requests.length, 3);
    const [hook, basic, cookie] = r.requests;
    assert.equal(hook.method, 'POST');
    assert.equal(hook.path, '/hook');
    assert.equal(hook.headers['content-type'], 'application/json');
    assert.equal(hook.headers['x-a'], '1');
    assert.equal(hook.headers['my-key'], 'v', 'auth replaces a static header of that name');
    assert.match(String(hook.headers['ory-webhook-request-id']), UUID);
    assert.match(String(hook.headers['ory-webhook-trigger-id']), UUID);
    assert.equal(basic.method, 'PUT');
    assert.equal(basic.headers.authorization, `Basic ${Buffer.from('user:pw').toString('base64')}`);
    assert.equal(cookie.headers.cookie, 'K=c');
    const body = JSON.parse(hook.body);
    assert.equal(body.identity_id, out.identity.id);
    assert.equal(body.flow_id, flow.id);
    assert.equal(body.method, 'POST');
    assert.equal(new URL(body.url).pathname + new URL(body.url).search, `/self-service/registration?flow=${flow.id}`);
    assert.deepEqual(body.headers['User-Agent'], ['UA-1']);
    assert.equal(body.headers['X-Secret'], undefined, 'only the allowlist is forwarded');
    assert.equal(body.headers.Authorization, undefined);
    assert.deepEqual(body.tp, { x: [1, 2] });
    assert.equal(body.session_id, null, 'registration post-persist hooks get no session');
    assert.match(hook.body, /^\{\n {3}"cookies"/, 'go-jsonnet/libjsonnet manifest: sorted keys, 3 spaces');
  });

  test('D11: error "cancel" sends nothing and the flow succeeds', async () => {
    reset();
    const t = await app(regHooks([{ hook: 'web_hook', config: { url: `${r.url}/hook`, method: 'POST', body: b64('function(ctx) error "cancel"') } }]));
    const { res } = await register(t);
    assert.equal(res.status, 200, res.body);
    assert.equal(r.requests.length, 0);
  });

  test('D26-D27: parse at pre-persist sees the nil id and changes traits and metadata before the store', async () => {
    reset();
    const t = await app(regHooks([{ hook: 'web_hook', config: { url: `${r.url}/parse`, method: 'POST', body: BODY, response: { parse: true } } }]));
    const newEmail = email();
    r.script.push({ status: 200, body: JSON.stringify({ identity: { traits: { email: newEmail, website: 'https://www.ory.sh' }, metadata_public: { a: 1 }, metadata_admin: { b: 2 } } }) });
    const { res } = await register(t);
    assert.equal(res.status, 200, res.body);
    assert.equal(JSON.parse(r.requests[0].body).identity_id, NIL);
    const id = res.json().identity.id;
    const admin = await t.app.admin.inject({ method: 'GET', url: `/admin/identities/${id}` });
    const stored = admin.json();
    assert.equal(stored.traits.email, newEmail);
    assert.deepEqual(stored.metadata_public, { a: 1 });
    assert.deepEqual(stored.metadata_admin, { b: 2 });
    assert.equal(r.requests.length, 1, 'a parse hook does not run again after the store');
  });

  test('D30-D31, D35: can_interrupt: the receiver\'s messages in the flow (API 400, browser 303), nothing created; bad body 502', async () => {
    reset();
    const t = await app(regHooks([{ hook: 'web_hook', config: { url: `${r.url}/int`, method: 'POST', body: BODY, can_interrupt: true } }]));
    const messages = { messages: [{ instance_ptr: '#/traits/email', messages: [{ id: 1234, text: 'taken', type: 'error' }] }, { instance_ptr: '#/', messages: [{ id: 5, text: 'form', type: 'validation', context: { k: 'v' } }] }] };
    r.script.push({ status: 400, body: JSON.stringify(messages) });
    const mail = email();
    const flow = await apiFlow(t, 'registration');
    const res = await submitAPI(t, 'registration', flow.id, { method: 'password', password: PASSWORD, traits: { email: mail, website: 'https://www.ory.sh' } });
    assert.equal(res.status, 400, res.body);
    const f = res.json();
    assert.deepEqual(nodeOf(f, 'traits.email').messages, [{ id: 1234, text: 'taken', type: 'error' }]);
    assert.deepEqual(f.ui.messages, [{ id: 5, text: 'form', type: 'info', context: { k: 'v' } }]);
    assert.equal(nodeOf(f, 'traits.email').attributes.value, mail);
    const list = await t.app.admin.inject({ method: 'GET', url: `/admin/identities?credentials_identifier=${encodeURIComponent(mail)}` });
    assert.deepEqual(list.json(), []);

    r.script.push({ status: 400, body: JSON.stringify(messages) });
    const jar = new CookieJar();
    const bflow = await browserFlow(t, 'registration', jar);
    const b = await submitForm(t, 'registration', bflow.id, jar, { csrf_token: csrfOf(bflow), method: 'password', password: PASSWORD, 'traits.email': email(), 'traits.website': 'https://www.ory.sh' });
    assert.ok(b.status === 302 || b.status === 303, String(b.status));
    assert.equal(b.headers.location, `http://localhost:4455/registration?flow=${bflow.id}`);
    const shown = await t.app.public.inject({ method: 'GET', url: `/self-service/registration/flows?id=${bflow.id}`, headers: { cookie: jar.header() } });
    assert.deepEqual(nodeOf(shown.json(), 'traits.email').messages, [{ id: 1234, text: 'taken', type: 'error' }]);

    r.script.push({ status: 400, body: 'not json' });
    const bad = await register(t);
    assert.equal(bad.res.status, 502, bad.res.body);
    assert.equal(bad.res.json().error.reason, UPSTREAM);
  });

  test('D17-D18, D21: 4xx answers 502; 500 is tried 3 times with one trigger id, then 502; 501 once', async () => {
    reset();
    const t = await app(regHooks([{ hook: 'web_hook', config: { url: `${r.url}/h`, method: 'POST', body: BODY } }]));
    r.script.push({ status: 400 });
    let { res } = await register(t);
    assert.equal(res.status, 502);
    assert.deepEqual({ ...res.json().error, message: undefined }, { code: 502, status: 'Bad Gateway', reason: UPSTREAM, message: undefined });
    assert.equal(r.requests.length, 1);

    reset();
    r.fallback = { status: 500 };
    ({ res } = await register(t));
    assert.equal(res.status, 502);
    assert.equal(r.requests.length, 3);
    assert.equal(new Set(r.requests.map((q) => q.headers['ory-webhook-trigger-id'])).size, 1);
    assert.equal(new Set(r.requests.map((q) => q.headers['ory-webhook-request-id'])).size, 3);

    reset();
    r.script.push({ status: 503 }, { status: 200 });
    ({ res } = await register(t));
    assert.equal(res.status, 200, 'a retry that succeeds lets the flow continue');
    assert.equal(r.requests.length, 2);

    reset();
    r.script.push({ status: 501 });
    ({ res } = await register(t));
    assert.equal(res.status, 502);
    assert.equal(r.requests.length, 1);
  });

  test('D22-D23: a hanging receiver times out (504, 3 attempts); ignore answers at once and delivers later', async () => {
    reset();
    const t = await app(regHooks([{ hook: 'web_hook', config: { url: `${r.url}/slow`, method: 'POST', body: BODY } }], { porta: { web_hook: { timeout: '150ms', retry_wait_min: '10ms', retry_wait_max: '20ms', jsonnet_timeout: '5s' } } }));
    r.fallback = { hang: true };
    const { res } = await register(t);
    assert.equal(res.status, 504, res.body);
    assert.equal(res.json().error.reason, 'A third-party upstream service could not be reached. Please try again later.');
    assert.equal(r.requests.length, 3);

    reset();
    const t2 = await app(regHooks([{ hook: 'web_hook', config: { url: `${r.url}/async`, method: 'POST', body: BODY, response: { ignore: true } } }]));
    r.fallback = { hang: true };
    const a = await register(t2);
    assert.equal(a.res.status, 200, 'the flow does not wait for an ignored hook');
    await r.waitFor(1, 5000, (q) => q.path === '/async');
  });

  test('D25: disallow_private_ip_ranges refuses a loopback receiver; the exception URL lets it through', async () => {
    reset();
    const hook = { hook: 'web_hook', config: { url: `${r.url}/private`, method: 'POST', body: BODY } };
    const t = await app(regHooks([hook], { clients: { http: { disallow_private_ip_ranges: true } } }));
    const { res } = await register(t);
    assert.equal(res.status, 502);
    assert.equal(r.requests.length, 0);
    const t2 = await app(regHooks([hook], { clients: { http: { disallow_private_ip_ranges: true, private_ip_exception_urls: [`${r.url}/private`] } } }));
    assert.equal((await register(t2)).res.status, 200);
    assert.equal(r.requests.length, 1);
  });

  test('jsonnet time limit: a run-away template fails the flow (500); the killed worker is replaced', async () => {
    reset();
    const slow = b64('function(ctx) if std.objectHas(ctx.flow, "transient_payload") then std.foldl(function(a, b) a + b, std.range(0, 50000000), 0) else {ok: true}');
    const t = await app(regHooks([{ hook: 'web_hook', config: { url: `${r.url}/loop`, method: 'POST', body: slow } }], { porta: { web_hook: { jsonnet_timeout: '2s', jsonnet_workers: 1 } } }));
    const { res } = await register(t, { transient_payload: { slow: true } });
    assert.equal(res.status, 500, res.body);
    assert.equal(r.requests.length, 0);
    assert.equal((await register(t)).res.status, 200);
    assert.deepEqual(JSON.parse(r.requests[0].body), { ok: true });
  });
});

test('D14, D16, D24, jsonnet imports: hooks that can never work stop start-up, naming the key', async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ url: 'http://127.0.0.1:1/h', method: 'POST' }, /registration\.after\.password\.hooks\[0\]\.config\.body/],
    [{ url: 'http://127.0.0.1:1/h', method: 'POST', body: b64('function(ctx) {a: }') }, /hooks\[0\]\.config\.body: the template does not compile/],
    [{ url: 'http://127.0.0.1:1/h', method: 'POST', body: b64('local x = import "/etc/passwd"; function(ctx) {a: x}') }, /config\.body: imports are not allowed/],
    [{ url: 'http://127.0.0.1:1/h', method: 'POST', body: b64('function(ctx) {}'), response: { ignore: true, parse: true } }, /config\.response\.ignore/],
    [{ url: 'http://127.0.0.1:1/h', method: 'POST', body: b64('function(ctx) {}'), headers: { 'Content-Type': 'text/plain' } }, /config\.headers/],
    [{ url: 'http://127.0.0.1:1/h', method: 'POST', body: 'https://example.org/t.jsonnet' }, /config\.body: template URL scheme/],
  ];
  for (const [config, msg] of cases) {
    await assert.rejects(startApp({ config: regHooks([{ hook: 'web_hook', config }]) }), msg);
  }
  await assert.rejects(startApp({ config: regHooks([{ hook: 'no_such_hook' }]) }), /hooks\[0\]\.hook: unknown hook/);
});
