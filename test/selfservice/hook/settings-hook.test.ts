import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureServer } from '../../helpers/capture.js';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { setCookies } from '../../helpers/jar.js';
import { PASSWORD, UI, apiFlow, browserFlow, csrfOf, get, nodeOf, seedUser, settingsConfig, spaFlow, submitAPI, submitForm, submitSPA, type User } from '../settings/helpers.js';

/**
 * web_hook after settings (hooks spec A.1, A.2, A.7): the method's list, else the flow-wide one; the
 * caller's session and the updated identity in ctx; parse / can_interrupt before the store, changing or
 * refusing the update; the refusal shown in the flow for browser, SPA and native clients.
 */

const b64 = (tpl: string) => `base64://${Buffer.from(tpl).toString('base64')}`;
const BODY = b64(`function(ctx) {
  flow_id: ctx.flow.id, kind: ctx.flow.type,
  s: if std.objectHas(ctx, "session") then ctx.session.id,
  i: if std.objectHas(ctx, "identity") then ctx.identity,
}`);
const FAST = { porta: { web_hook: { jsonnet_timeout: '5s', retry_wait_min: '10ms', retry_wait_max: '20ms' } } };
const NEW_PASSWORD = 'a-hooked-new-passphrase-77';
const UPSTREAM = 'A third-party upstream service responded improperly. Please try again later.';

type Json = Record<string, any>;

forEachBackend('web_hook after settings', (backend) => {
  let r: CaptureServer;
  let lists: TestApp;
  let pre: TestApp;
  let n = 0;
  const user = (t: TestApp): Promise<User> => seedUser(t, `settings-hook-${backend}-${process.pid}-${n++}@example.org`, PASSWORD);
  const hook = (path: string, extra: Json = {}) => ({ hook: 'web_hook', config: { url: `${r.url}${path}`, method: 'POST', body: BODY, ...extra } });
  const config = (after: Json) => ({ ...FAST, ...settingsConfig({ after }) });

  before(async () => {
    r = await CaptureServer.start();
    // Password has its own list; profile has none, so it falls back to the flow-wide list (Kratos's rule).
    lists = await startApp({ backend, config: config({ hooks: [hook('/global')], password: { hooks: [hook('/password')] } }) });
    pre = await startApp({ backend, config: config({ profile: { hooks: [hook('/interrupt', { can_interrupt: true }), hook('/parse', { response: { parse: true } }), hook('/post')] } }) });
  });
  after(async () => {
    await lists.close();
    await pre.close();
    await r.close();
  });
  const reset = () => {
    r.requests.length = 0;
    r.script.length = 0;
    r.fallback = { status: 200 };
  };
  const paths = () => r.requests.map((q) => q.path);
  const stored = async (t: TestApp, id: string): Promise<Json> => (await t.app.admin.inject({ method: 'GET', url: `/admin/identities/${id}` })).json();
  const passwordLogin = async (t: TestApp, email: string, password: string): Promise<number> => {
    const flow = (await get(t, '/self-service/login/api')).json();
    const res = await t.app.public.inject({ method: 'POST', url: `/self-service/login?flow=${flow.id}`, payload: { method: 'password', identifier: email, password } });
    return res.statusCode;
  };

  test('after.password.hooks: one call after the change, with the caller\'s session and the identity; the flow-wide list is not used', async () => {
    reset();
    const u = await user(lists);
    const flow = await apiFlow(lists, u.login.token);
    const res = await submitAPI(lists, flow.id, u.login.token, { method: 'password', password: NEW_PASSWORD });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(paths(), ['/password']);
    const body = JSON.parse(r.requests[0].body);
    assert.equal(body.flow_id, flow.id);
    assert.equal(body.s, u.login.session.id);
    assert.equal(body.i.id, u.identity.id);
    assert.equal(body.i.credentials, undefined, 'no credentials, so no password hash, reach the receiver');
    assert.equal(body.i.metadata_admin, undefined);
    assert.ok(!r.requests[0].body.includes(NEW_PASSWORD));
    assert.ok(!r.requests[0].body.includes(u.login.token));
    assert.equal(await passwordLogin(lists, u.identity.traits.email as string, NEW_PASSWORD), 200, 'the hook ran after the change was stored');
  });

  test('profile without its own list: the flow-wide after.hooks runs with the updated traits (browser form)', async () => {
    reset();
    const u = await user(lists);
    const jar = u.jar.clone();
    const flow = await browserFlow(lists, jar);
    const res = await submitForm(lists, flow.id, jar, { method: 'profile', 'traits.email': u.identity.traits.email as string, 'traits.website': 'https://hooked.example.org', csrf_token: csrfOf(flow) });
    assert.equal(res.status, 303, res.body);
    assert.deepEqual(paths(), ['/global']);
    const body = JSON.parse(r.requests[0].body);
    assert.equal(body.kind, 'browser');
    assert.equal(body.s, u.login.session.id);
    assert.equal(body.i.traits.website, 'https://hooked.example.org');
  });

  test('a failing post-persist hook: API 502; the change stays stored (Kratos runs it after the store)', async () => {
    reset();
    r.fallback = { status: 400 };
    const u = await user(lists);
    const flow = await apiFlow(lists, u.login.token);
    const res = await submitAPI(lists, flow.id, u.login.token, { method: 'password', password: NEW_PASSWORD });
    assert.equal(res.status, 502, res.body);
    assert.equal(res.json().error.reason, UPSTREAM);
    assert.equal(await passwordLogin(lists, u.identity.traits.email as string, NEW_PASSWORD), 200);
  });

  test('parse: the receiver changes the proposed identity before it is stored; the post-persist hook sees the result', async () => {
    reset();
    const u = await user(pre);
    r.script.push({ status: 200, body: JSON.stringify({ identity: { metadata_admin: { ignored: true } } }) }); // can_interrupt: a 200 body is not applied
    r.script.push({ status: 200, body: JSON.stringify({ identity: { metadata_public: { tier: 'gold' }, traits: { email: u.identity.traits.email, website: 'https://from-hook.example.org' } } }) });
    const flow = await apiFlow(pre, u.login.token);
    const res = await submitAPI(pre, flow.id, u.login.token, { method: 'profile', traits: { email: u.identity.traits.email, website: 'https://submitted.example.org' } });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(paths(), ['/interrupt', '/parse', '/post'], 'pre-persist hooks once each, then the post-persist one');
    const [interrupt, parse, post] = r.bodies();
    assert.equal(interrupt.i.traits.website, 'https://submitted.example.org', 'pre-persist hooks see the proposed identity');
    assert.equal(parse.s, u.login.session.id);
    assert.equal(post.i.traits.website, 'https://from-hook.example.org');
    const s = await stored(pre, u.identity.id);
    assert.equal(s.traits.website, 'https://from-hook.example.org');
    assert.deepEqual(s.metadata_public, { tier: 'gold' });
    assert.equal(s.metadata_admin, null, 'the can_interrupt hook\'s 200 body changed nothing (hooks spec A.3)');
    assert.equal(res.json().identity.traits.website, 'https://from-hook.example.org');
  });

  const refusal = { messages: [{ instance_ptr: '#/traits/website', messages: [{ id: 4242, text: 'this website is not allowed', type: 'error' }] }] };

  test('can_interrupt 400: native and SPA get the settings flow with the message (400); nothing stored, later hooks not run', async () => {
    reset();
    const u = await user(pre);
    r.script.push({ status: 400, body: JSON.stringify(refusal) });
    const flow = await apiFlow(pre, u.login.token);
    const res = await submitAPI(pre, flow.id, u.login.token, { method: 'profile', traits: { email: u.identity.traits.email, website: 'https://refused.example.org' } });
    assert.equal(res.status, 400, res.body);
    const f = res.json();
    assert.equal(f.id, flow.id);
    assert.equal(f.state, 'show_form');
    assert.deepEqual(nodeOf(f, 'traits.website').messages, [{ id: 4242, text: 'this website is not allowed', type: 'error' }]);
    assert.deepEqual(paths(), ['/interrupt']);
    assert.equal((await stored(pre, u.identity.id)).traits.website, u.identity.traits.website);

    reset();
    r.script.push({ status: 400, body: JSON.stringify(refusal) });
    const jar = u.jar.clone();
    const sflow = await spaFlow(pre, jar);
    const spa = await submitSPA(pre, sflow.id, jar, { method: 'profile', traits: { email: u.identity.traits.email, website: 'https://refused.example.org' }, csrf_token: csrfOf(sflow) });
    assert.equal(spa.status, 400, spa.body);
    assert.deepEqual(nodeOf(spa.json(), 'traits.website').messages, [{ id: 4242, text: 'this website is not allowed', type: 'error' }]);
    assert.equal((await stored(pre, u.identity.id)).traits.website, u.identity.traits.website);
  });

  test('can_interrupt 400, browser form: 303 back to the settings UI; the flow shows the message; the session cookie is untouched', async () => {
    reset();
    const u = await user(pre);
    r.script.push({ status: 400, body: JSON.stringify(refusal) });
    const jar = u.jar.clone();
    const flow = await browserFlow(pre, jar);
    const res = await submitForm(pre, flow.id, jar, { method: 'profile', 'traits.email': u.identity.traits.email as string, 'traits.website': 'https://refused.example.org', csrf_token: csrfOf(flow) });
    assert.equal(res.status, 303, res.body);
    assert.equal(res.headers.location, `${UI}?flow=${flow.id}`);
    assert.equal(setCookies(res.headers).some((c) => c.name === pre.config.sessionCookie.name), false);
    const shown = (await get(pre, `/self-service/settings/flows?id=${flow.id}`, { cookie: jar.header(), accept: 'application/json' })).json();
    assert.deepEqual(nodeOf(shown, 'traits.website').messages, [{ id: 4242, text: 'this website is not allowed', type: 'error' }]);
    assert.equal(nodeOf(shown, 'traits.website').attributes.value, 'https://refused.example.org', 'the submitted value is kept in the form');
    assert.equal((await stored(pre, u.identity.id)).traits.website, u.identity.traits.website);
    assert.equal((await get(pre, '/sessions/whoami', { cookie: jar.header() })).status, 200);
  });
});
