import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CaptureServer } from '../../helpers/capture.js';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CookieJar } from '../../helpers/jar.js';
import { seedLogin } from '../../helpers/seed.js';
import { apiFlow, browserFlow, csrfOf, nodeOf, submitAPI, submitForm } from '../login/helpers.js';

/**
 * Part D cases of hooks-and-session-events-spec.md that web-hook.test.ts and flow-points.test.ts leave
 * out: request shapes (D5, D6, D8, D9, D10, D12, D13, D15), answers (D16, D17, D20, D23, D28-D30,
 * D33-D37) and login (D39, D40). "Register" is an API registration submitted as JSON.
 */

const PASSWORD = 'l3f9toh1uaf81n21';
const UPSTREAM = 'A third-party upstream service responded improperly. Please try again later.';
let n = 0;
const email = () => `parity-${process.pid}-${++n}@example.org`;
const b64 = (tpl: string) => `base64://${Buffer.from(tpl).toString('base64')}`;
const TEMPLATE = `function(ctx) {
  flow_id: ctx.flow.id,
  identity_id: if std.objectHas(ctx, "identity") then ctx.identity.id,
  headers: ctx.request_headers, cookies: ctx.request_cookies,
  tp: if std.objectHas(ctx.flow, "transient_payload") then ctx.flow.transient_payload,
}`;
const BODY = b64(TEMPLATE);
const FAST = { porta: { web_hook: { retry_wait_min: '10ms', retry_wait_max: '40ms', jsonnet_timeout: '5s' } } };

type Json = Record<string, any>;

/** Registration (password) runs `hooks`, then `session`. */
const regHooks = (hooks: unknown[], extra: Json = {}) => ({
  ...FAST,
  ...extra,
  selfservice: { flows: { registration: { after: { password: { hooks: [...hooks, { hook: 'session' }] } } } } },
});

forEachBackend('web_hook Part D cases', (backend) => {
  let r: CaptureServer;
  let dir: string;
  const apps: TestApp[] = [];
  const app = async (config: Json) => {
    const t = await startApp({ backend, config });
    apps.push(t);
    return t;
  };
  const hook = (path: string, extra: Json = {}) => ({ hook: 'web_hook', config: { url: `${r.url}${path}`, method: 'POST', body: BODY, ...extra } });
  before(async () => {
    r = await CaptureServer.start();
    dir = mkdtempSync(join(tmpdir(), 'porta-hook-'));
  });
  after(async () => {
    for (const t of apps) await t.close();
    await r.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const reset = () => {
    r.requests.length = 0;
    r.script.length = 0;
    r.fallback = { status: 200 };
  };
  async function register(t: TestApp, body: Json = {}, headers: Record<string, string> = {}) {
    const flow = await apiFlow(t, 'registration');
    const mail = email();
    const res = await submitAPI(t, 'registration', flow.id, { method: 'password', password: PASSWORD, traits: { email: mail, website: 'https://www.ory.sh' }, ...body }, headers);
    return { flow, res, mail };
  }
  const identitiesWith = async (t: TestApp, mail: string): Promise<Json[]> =>
    (await t.app.admin.inject({ method: 'GET', url: `/admin/identities?credentials_identifier=${encodeURIComponent(mail)}` })).json();

  test('D5-D6: GET and PURGE carry the JSON body; TRACE has none but keeps Content-Type; a 405 answers 502', async () => {
    reset();
    const t = await app(regHooks([hook('/get', { method: 'GET' }), hook('/trace', { method: 'TRACE', body: undefined }), hook('/purge', { method: 'PURGE' })]));
    const { res, flow } = await register(t);
    assert.equal(res.status, 200, res.body);
    const [get, trace, purge] = r.requests;
    assert.deepEqual([get.method, trace.method, purge.method], ['GET', 'TRACE', 'PURGE']);
    assert.equal(JSON.parse(get.body).flow_id, flow.id);
    assert.equal(JSON.parse(purge.body).flow_id, flow.id);
    assert.equal(trace.body, '');
    assert.equal(trace.headers['content-type'], 'application/json');

    reset();
    r.script.push({ status: 200 }, { status: 200 }, { status: 405 });
    const refused = await register(t);
    assert.equal(refused.res.status, 502, refused.res.body);
    assert.equal(refused.res.json().error.reason, UPSTREAM);
  });

  test('D8: clients.web_hook.header_allowlist decides which request headers the template sees; [] forwards none', async () => {
    reset();
    const some = await app(regHooks([hook('/h')], { clients: { web_hook: { header_allowlist: ['x-secret'] } } }));
    const none = await app(regHooks([hook('/h')], { clients: { web_hook: { header_allowlist: [] } } }));
    const headers = { 'user-agent': 'UA-1', 'x-secret': 's' };
    assert.equal((await register(some, {}, headers)).res.status, 200);
    assert.equal((await register(none, {}, headers)).res.status, 200);
    assert.deepEqual(r.bodies().map((b) => b.headers), [{ 'X-Secret': ['s'] }, {}]);
  });

  test('D9-D10: a browser registration: the template sees the other cookies but never Porta\'s CSRF cookie; no transient_payload, no tp', async () => {
    reset();
    const t = await app(regHooks([hook('/h')]));
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'registration', jar);
    const csrfCookie = jar.names()[0];
    assert.ok(csrfCookie);
    jar.set('a', '1').set('b', '2');
    const res = await submitForm(t, 'registration', flow.id, jar, { csrf_token: csrfOf(flow), method: 'password', password: PASSWORD, 'traits.email': email(), 'traits.website': 'https://www.ory.sh' });
    assert.equal(res.status, 303, res.body);
    const body = r.bodies()[0];
    assert.deepEqual(body.cookies, { a: '1', b: '2' }, 'Porta keeps its CSRF cookie from receivers (spec C.7; Kratos forwards it)');
    assert.equal(body.tp, null);
  });

  test('D12-D13: sorted 3-space JSON; form encoding of string values; a non-string form value fails and sends nothing', async () => {
    reset();
    const form = { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };
    const t = await app(regHooks([hook('/json', { body: b64('function(ctx) {z: 1, a: 2}') }), hook('/form', { ...form, body: b64('function(ctx) {b: "x y", a: "1"}') })]));
    assert.equal((await register(t)).res.status, 200);
    assert.equal(r.requests[0].body, '{\n   "a": 2,\n   "z": 1\n}\n');
    assert.equal(r.requests[1].headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(r.requests[1].body, 'a=1&b=x+y');

    reset();
    const bad = await app(regHooks([hook('/form', { ...form, body: b64('function(ctx) {a: 1}') })]));
    const { res } = await register(bad);
    assert.equal(res.status, 500, res.body);
    assert.equal(r.requests.length, 0);
  });

  test('D15: base64://, file:// and a bare path give the same request', async () => {
    reset();
    const file = join(dir, 't.jsonnet');
    writeFileSync(file, TEMPLATE);
    const t = await app(regHooks([hook('/b64'), hook('/file', { body: pathToFileURL(file).href }), hook('/bare', { body: file })]));
    const { res } = await register(t);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(r.requests.map((q) => q.path), ['/b64', '/file', '/bare']);
    assert.equal(new Set(r.requests.map((q) => q.body)).size, 1);
  });

  test('D16: a template that fails at run time answers 500; the identity exists (post-persist), no session token', async () => {
    reset();
    const t = await app(regHooks([hook('/h', { body: b64('function(ctx) {a: ctx.nope.x}') })]));
    const { res, mail } = await register(t);
    assert.equal(res.status, 500, res.body);
    assert.ok(!res.body.includes('ory_st_'));
    assert.equal((await identitiesWith(t, mail)).length, 1);
    assert.equal(r.requests.length, 0);
  });

  test('D17, D20: 299 and a 300 without Location succeed, 499 answers 502; a 429 Retry-After beyond retry_wait_max waits only the cap', async () => {
    reset();
    const t = await app(regHooks([hook('/h')]));
    for (const status of [299, 300]) {
      r.script.push({ status });
      assert.equal((await register(t)).res.status, 200, String(status));
    }
    r.script.push({ status: 499 });
    assert.equal((await register(t)).res.status, 502);

    reset();
    // An hour's Retry-After with a 40ms cap: the retry comes soon and the flow completes (else the test times out).
    r.script.push({ status: 429, headers: { 'retry-after': '3600' } }, { status: 200 });
    assert.equal((await register(t)).res.status, 200);
    assert.equal(r.requests.length, 2);
  });

  test('D28-D30, D36: parse with an empty answer changes nothing; external_id is set; a non-JSON 200 fails with nothing created; can_interrupt never applies a 200 body', async () => {
    reset();
    const t = await app(regHooks([hook('/parse', { response: { parse: true } })]));
    for (const reply of [{ status: 200, body: '{}' }, { status: 200, body: '{"identity":{}}' }, { status: 204 }]) {
      r.script.push(reply);
      const { res, mail } = await register(t);
      assert.equal(res.status, 200, `${reply.body}: ${res.body}`);
      const id = res.json().identity;
      assert.deepEqual({ email: id.traits.email, website: id.traits.website, mp: id.metadata_public }, { email: mail, website: 'https://www.ory.sh', mp: null });
    }
    r.script.push({ status: 200, body: JSON.stringify({ identity: { external_id: `ext-${process.pid}-${backend}` } }) });
    const ext = await register(t);
    assert.equal(ext.res.status, 200, ext.res.body);
    const found = await t.app.admin.inject({ method: 'GET', url: `/admin/identities/by/external/ext-${process.pid}-${backend}` });
    assert.equal(found.statusCode, 200, found.body);
    assert.equal(found.json().id, ext.res.json().identity.id);

    r.script.push({ status: 200, body: 'not json' });
    const bad = await register(t);
    assert.equal(bad.res.status, 502, bad.res.body);
    assert.deepEqual(await identitiesWith(t, bad.mail), []);

    reset();
    const ci = await app(regHooks([hook('/ci', { can_interrupt: true })]));
    r.script.push({ status: 200, body: JSON.stringify({ identity: { traits: { email: 'new@x.io', website: 'https://www.ory.sh' } } }) });
    const kept = await register(ci);
    assert.equal(kept.res.status, 200, kept.res.body);
    assert.equal(kept.res.json().identity.traits.email, kept.mail);
  });

  test('D33-D34: a pointer to a field the form lacks becomes a text node; empty messages or a 5xx with messages answer 502', async () => {
    reset();
    const t = await app(regHooks([hook('/int', { can_interrupt: true })]));
    r.script.push({ status: 400, body: JSON.stringify({ messages: [{ instance_ptr: '#/traits/nickname', messages: [{ id: 7, text: 'pick one', type: 'error' }] }] }) });
    const { res } = await register(t);
    assert.equal(res.status, 400, res.body);
    const node = nodeOf(res.json(), 'traits.nickname');
    assert.deepEqual({ type: node.type, group: node.group, itype: node.attributes.type, messages: node.messages }, { type: 'input', group: 'default', itype: 'text', messages: [{ id: 7, text: 'pick one', type: 'error' }] });

    r.script.push({ status: 400, body: '{"messages":[]}' });
    const empty = await register(t);
    assert.equal(empty.res.status, 502, empty.res.body);
    assert.deepEqual(await identitiesWith(t, empty.mail), []);

    reset();
    r.fallback = { status: 500, body: JSON.stringify({ messages: [{ instance_ptr: '#/', messages: [{ id: 1, text: 'x', type: 'error' }] }] }) };
    const five = await register(t);
    assert.equal(five.res.status, 502, five.res.body);
    assert.equal(r.requests.length, 3);
  });

  test('D23, D35: an ignored failing hook is still tried 3 times in the background; an interrupted browser form keeps the email and can be sent again', async () => {
    reset();
    r.fallback = { status: 500 };
    const t = await app(regHooks([hook('/async', { response: { ignore: true } })]));
    const { res } = await register(t);
    assert.equal(res.status, 200, res.body);
    await r.waitFor(3, 15_000, (q) => q.path === '/async');

    reset();
    const ci = await app(regHooks([hook('/int', { can_interrupt: true })]));
    r.script.push({ status: 400, body: JSON.stringify({ messages: [{ instance_ptr: '#/traits/email', messages: [{ id: 9, text: 'no', type: 'error' }] }] }) });
    const jar = new CookieJar();
    const flow = await browserFlow(ci, 'registration', jar);
    const mail = email();
    const fields = { method: 'password', password: PASSWORD, 'traits.email': mail, 'traits.website': 'https://www.ory.sh' };
    const first = await submitForm(ci, 'registration', flow.id, jar, { ...fields, csrf_token: csrfOf(flow) });
    assert.ok(first.status === 302 || first.status === 303, String(first.status));
    assert.equal(first.headers.location, `http://localhost:4455/registration?flow=${flow.id}`);
    const shown = (await ci.app.public.inject({ method: 'GET', url: `/self-service/registration/flows?id=${flow.id}`, headers: { cookie: jar.header() } })).json();
    assert.equal(nodeOf(shown, 'traits.email').attributes.value, mail);
    assert.notEqual(csrfOf(shown), csrfOf(flow), 'a fresh CSRF rendering');
    const second = await submitForm(ci, 'registration', flow.id, jar, { ...fields, csrf_token: csrfOf(shown) });
    assert.equal(second.status, 303, second.body);
    assert.equal(second.headers.location, 'http://localhost:4455/', 'registered on the second try');
    assert.equal((await identitiesWith(ci, mail)).length, 1);
  });

  test('D37: a parse hook in the flow-wide registration.after.hooks runs nowhere when the method has its own list', async () => {
    reset();
    const t = await app({ ...FAST, selfservice: { flows: { registration: { after: { hooks: [hook('/global', { response: { parse: true } })], password: { hooks: [{ hook: 'session' }] } } } } } });
    const { res } = await register(t);
    assert.equal(res.status, 200, res.body);
    assert.ok(res.json().session_token);
    assert.equal(r.requests.length, 0);
  });

  test('D39-D40: a failing login after-hook answers 502 and stores no session; a flow-wide login hook is shadowed by the method list', async () => {
    reset();
    const t = await app({ ...FAST, selfservice: { flows: { login: { after: { password: { hooks: [hook('/login')] } } } } } });
    const u = await seedLogin(t, { password: PASSWORD });
    r.script.push({ status: 400 });
    const flow = await apiFlow(t, 'login');
    const res = await submitAPI(t, 'login', flow.id, { method: 'password', identifier: u.identity.traits.email, password: PASSWORD });
    assert.equal(res.status, 502, res.body);
    const sessions = (await t.app.admin.inject({ method: 'GET', url: `/admin/identities/${u.identity.id}/sessions` })).json();
    assert.deepEqual(sessions.map((s: Json) => s.id), [u.session.id], 'only the seeded session exists');

    reset();
    const shadow = await app({ ...FAST, selfservice: { flows: { login: { after: { hooks: [hook('/global')], password: { hooks: [{ hook: 'revoke_active_sessions' }] } } } } } });
    const v = await seedLogin(shadow, { password: PASSWORD });
    const lflow = await apiFlow(shadow, 'login');
    const ok = await submitAPI(shadow, 'login', lflow.id, { method: 'password', identifier: v.identity.traits.email, password: PASSWORD });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(r.requests.length, 0);
    assert.equal((await shadow.app.public.inject({ method: 'GET', url: '/sessions/whoami', headers: { 'x-session-token': v.token } })).statusCode, 401, 'the method list ran');
  });
});
