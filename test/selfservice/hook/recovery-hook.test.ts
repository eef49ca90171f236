import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureServer } from '../../helpers/capture.js';
import { latestQueuedCode } from '../../helpers/courier.js';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CookieJar, setCookies } from '../../helpers/jar.js';
import { seedIdentity, seedSession } from '../../helpers/seed.js';
import { FORM, form, get, post, type Res } from '../login/helpers.js';

/**
 * recovery.after.hooks with web_hook (hooks spec A.2: the recovered identity, no session) and what a
 * failing after-hook leaves behind (account-flows spec 4.6 step 4, Kratos's "should not be able to
 * recover if post recovery hook fails"): no session, no session cookie, a recovery the person can retry.
 */

const b64 = (tpl: string) => `base64://${Buffer.from(tpl).toString('base64')}`;
const BODY = b64(`function(ctx) {
  kind: ctx.flow.type, flow_id: ctx.flow.id, state: ctx.flow.state,
  s: if std.objectHas(ctx, "session") then ctx.session.id,
  i: if std.objectHas(ctx, "identity") then ctx.identity,
}`);
const SETTINGS_UI = 'http://localhost:4455/settings';
const RECOVERY_UI = 'http://localhost:4455/recovery';
const UPSTREAM = 'A third-party upstream service responded improperly. Please try again later.';
const FAST = { web_hook: { jsonnet_timeout: '5s', retry_wait_min: '10ms', retry_wait_max: '20ms' } };

type Json = Record<string, any>;

forEachBackend('web_hook after recovery', (backend) => {
  let r: CaptureServer;
  let t: TestApp;
  let cookieName: string;
  before(async () => {
    r = await CaptureServer.start();
    const hooks = [
      { hook: 'web_hook', config: { url: `${r.url}/recovery-after`, method: 'POST', body: BODY, can_interrupt: true } },
      { hook: 'revoke_active_sessions' },
    ];
    t = await startApp({
      backend,
      config: {
        porta: { ...FAST, send_throttle: { per_recipient: 50 } },
        selfservice: {
          flows: {
            recovery: { enabled: true, ui_url: RECOVERY_UI, after: { hooks } },
            settings: { ui_url: SETTINGS_UI },
          },
        },
      },
    });
    cookieName = t.config.sessionCookie.name;
  });
  after(async () => {
    await t.close();
    await r.close();
  });
  const reset = () => {
    r.requests.length = 0;
    r.script.length = 0;
    r.fallback = { status: 200 };
  };

  const codeFor = (to: string) => latestQueuedCode(t, to, 'recovery_code_valid');

  /** A browser recovery up to the code form: returns the jar (CSRF cookie), the flow and the mailed code. */
  async function browserToCode(email: string): Promise<{ jar: CookieJar; flow: Json; code: string }> {
    const jar = new CookieJar();
    const init = await get(t, '/self-service/recovery/browser', { accept: 'text/html' });
    assert.equal(init.status, 303, init.body);
    jar.store(init.headers);
    const id = new URL(init.headers.location).searchParams.get('flow');
    const flow = (await get(t, `/self-service/recovery/flows?id=${id}`, { cookie: jar.header() })).json();
    const csrf = flow.ui.nodes.find((n: Json) => n.attributes.name === 'csrf_token').attributes.value;
    const sent = await post(t, `/self-service/recovery?flow=${id}`, form({ csrf_token: csrf, method: 'code', email }), { 'content-type': FORM, accept: 'text/html', cookie: jar.header() });
    assert.equal(sent.status, 303, sent.body);
    jar.store(sent.headers);
    const shown = (await get(t, `/self-service/recovery/flows?id=${id}`, { cookie: jar.header() })).json();
    assert.equal(shown.state, 'sent_email');
    return { jar, flow: shown, code: await codeFor(email) };
  }

  async function redeemBrowser(jar: CookieJar, flow: Json, code: string): Promise<Res> {
    const csrf = flow.ui.nodes.find((n: Json) => n.attributes.name === 'csrf_token').attributes.value;
    const res = await post(t, `/self-service/recovery?flow=${flow.id}`, form({ csrf_token: csrf, method: 'code', code }), { 'content-type': FORM, accept: 'text/html', cookie: jar.header() });
    jar.store(res.headers);
    return res;
  }

  async function apiToCode(email: string): Promise<{ flow: Json; code: string }> {
    const flow = (await get(t, '/self-service/recovery/api')).json();
    const sent = await post(t, `/self-service/recovery?flow=${flow.id}`, JSON.stringify({ method: 'code', email }), { 'content-type': 'application/json', accept: 'application/json' });
    assert.equal(sent.status, 200, sent.body);
    return { flow, code: await codeFor(email) };
  }
  const redeemAPI = (flow: Json, code: string) =>
    post(t, `/self-service/recovery?flow=${flow.id}`, JSON.stringify({ method: 'code', code }), { 'content-type': 'application/json', accept: 'application/json' });

  const activeSessions = async (identityId: string): Promise<Json[]> => {
    const res = await t.app.admin.inject({ method: 'GET', url: `/admin/identities/${identityId}/sessions?active=true` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const whoamiStatus = async (headers: Record<string, string>) => (await get(t, '/sessions/whoami', headers)).status;
  const sessionCookieSet = (res: Res) => setCookies(res.headers).some((c) => c.name === cookieName && c.value !== '');

  test('success: the hook runs once with the recovered identity and no session; then the session, the settings flow, and revoke_active_sessions', async () => {
    reset();
    const identity = await seedIdentity(t);
    const email = identity.traits.email as string;
    const before = await seedSession(t, identity);
    const { jar, flow, code } = await browserToCode(email);
    const res = await redeemBrowser(jar, flow, code);
    assert.equal(res.status, 303, res.body);
    assert.ok(res.headers.location.startsWith(`${SETTINGS_UI}?flow=`), res.headers.location);
    assert.ok(jar.get(cookieName), 'the recovered browser holds a session cookie');
    assert.equal(await whoamiStatus({ cookie: jar.header() }), 200);

    assert.equal(r.requests.length, 1, 'exactly one call');
    const body = JSON.parse(r.requests[0].body);
    assert.equal(body.flow_id, flow.id);
    assert.equal(body.kind, 'browser');
    assert.equal(body.s, null, 'recovery hooks get no session (Kratos passes none)');
    assert.equal(body.i.id, identity.id);
    assert.equal(body.i.traits.email, email);
    assert.equal(body.i.credentials, undefined);
    assert.equal(body.i.metadata_admin, undefined);
    assert.equal(body.i.verifiable_addresses[0].verified, true, 'the identity as recovered (the address counts as verified)');
    assert.ok(!r.requests[0].body.includes(jar.get(cookieName)!), 'no session token reaches the receiver');

    assert.equal(await whoamiStatus({ 'x-session-token': before.token }), 401, 'the session from before the recovery ended');
    const active = await activeSessions(identity.id);
    assert.equal(active.length, 1, 'only the recovered session is active');
  });

  test('native: the hook sees the API flow; the token comes back as before', async () => {
    reset();
    const identity = await seedIdentity(t);
    const { flow, code } = await apiToCode(identity.traits.email as string);
    const res = await redeemAPI(flow, code);
    assert.equal(res.status, 200, res.body);
    const out = res.json();
    const token = out.continue_with.find((c: Json) => c.action === 'set_ory_session_token').ory_session_token;
    assert.equal(await whoamiStatus({ 'x-session-token': token }), 200);
    assert.equal(r.requests.length, 1);
    const body = JSON.parse(r.requests[0].body);
    assert.deepEqual({ kind: body.kind, flow_id: body.flow_id, iid: body.i.id }, { kind: 'api', flow_id: flow.id, iid: identity.id });
    assert.ok(!r.requests[0].body.includes(token));
  });

  test('a failing receiver (5xx, 3 attempts): no session is issued, no cookie, other sessions live; the person can recover again', async () => {
    reset();
    const identity = await seedIdentity(t);
    const email = identity.traits.email as string;
    const before = await seedSession(t, identity);
    r.fallback = { status: 500 };
    const { jar, flow, code } = await browserToCode(email);
    const res = await redeemBrowser(jar, flow, code);
    assert.equal(r.requests.length, 3);
    assert.equal(res.status, 303, res.body);
    assert.equal(sessionCookieSet(res), false, 'no session cookie');
    assert.equal(jar.get(cookieName), undefined);
    assert.equal(await whoamiStatus({ cookie: jar.header() }), 401);
    assert.deepEqual((await activeSessions(identity.id)).map((s) => s.id), [before.session.id], 'no new session exists; the old one was not revoked');
    // Browsers see the upstream error on the error page (Kratos forwards a non-400 hook error).
    const loc = new URL(res.headers.location);
    assert.equal(`${loc.origin}${loc.pathname}`, 'http://localhost:4455/error');
    const shown = await get(t, `/self-service/errors?id=${loc.searchParams.get('id')}`);
    assert.equal(shown.json().error.code, 502);
    assert.equal(shown.json().error.reason, UPSTREAM);

    // The person starts over once the receiver is back, and recovers.
    reset();
    const again = await browserToCode(email);
    const ok = await redeemBrowser(again.jar, again.flow, again.code);
    assert.equal(ok.status, 303, ok.body);
    assert.ok(ok.headers.location.startsWith(`${SETTINGS_UI}?flow=`));
    assert.equal(await whoamiStatus({ cookie: again.jar.header() }), 200);
  });

  test('a failing receiver, native and SPA: the 502 error JSON, no token, no session', async () => {
    reset();
    const identity = await seedIdentity(t);
    r.fallback = { status: 502 };
    const { flow, code } = await apiToCode(identity.traits.email as string);
    const res = await redeemAPI(flow, code);
    assert.equal(res.status, 502, res.body);
    assert.equal(res.json().error.reason, UPSTREAM);
    assert.ok(!res.body.includes('ory_st_'), 'no session token in the answer');
    assert.deepEqual(await activeSessions(identity.id), []);

    reset();
    r.fallback = { status: 500 };
    const other = await seedIdentity(t);
    const b = await browserToCode(other.traits.email as string);
    const csrf = b.flow.ui.nodes.find((n: Json) => n.attributes.name === 'csrf_token').attributes.value;
    const spa = await post(t, `/self-service/recovery?flow=${b.flow.id}`, JSON.stringify({ csrf_token: csrf, method: 'code', code: b.code }), {
      'content-type': 'application/json',
      accept: 'application/json',
      cookie: b.jar.header(),
    });
    assert.equal(spa.status, 502, spa.body);
    assert.equal(sessionCookieSet(spa), false);
    assert.deepEqual(await activeSessions(other.id), []);
  });

  test('an interrupting receiver (400 with messages): a new recovery flow carries them, no session; the used code stays used', async () => {
    reset();
    const identity = await seedIdentity(t);
    const messages = { messages: [{ instance_ptr: '#/', messages: [{ id: 4711, text: 'recovery is paused for this account', type: 'error' }] }] };
    r.script.push({ status: 400, body: JSON.stringify(messages) });
    const { jar, flow, code } = await browserToCode(identity.traits.email as string);
    const res = await redeemBrowser(jar, flow, code);
    assert.equal(res.status, 303, res.body);
    assert.equal(sessionCookieSet(res), false);
    assert.deepEqual(await activeSessions(identity.id), []);
    const loc = new URL(res.headers.location);
    assert.equal(`${loc.origin}${loc.pathname}`, RECOVERY_UI);
    const nextId = loc.searchParams.get('flow');
    assert.notEqual(nextId, flow.id, 'a new flow to retry with (Kratos retryRecoveryFlow)');
    const next = (await get(t, `/self-service/recovery/flows?id=${nextId}`, { cookie: jar.header() })).json();
    assert.equal(next.state, 'choose_method');
    assert.deepEqual(next.ui.messages, [{ id: 4711, text: 'recovery is paused for this account', type: 'error' }]);
    assert.ok(next.ui.nodes.some((n: Json) => n.attributes.name === 'email'), 'the new flow asks for the address again');

    // The code was spent on the first try: it does not open a session on the old flow.
    const replay = await redeemBrowser(jar, { ...flow, ui: next.ui }, code);
    assert.equal(replay.status, 303, replay.body);
    assert.equal(replay.headers.location, `${RECOVERY_UI}?flow=${flow.id}`, 'back to the old flow (an invalid code answer)');
    assert.equal(sessionCookieSet(replay), false);
    assert.deepEqual(await activeSessions(identity.id), []);

    // API clients are sent to fetch the new flow (303 to /self-service/recovery/flows).
    r.script.push({ status: 400, body: JSON.stringify(messages) });
    const api = await apiToCode(identity.traits.email as string);
    const ares = await redeemAPI(api.flow, api.code);
    assert.equal(ares.status, 303, ares.body);
    const aloc = new URL(ares.headers.location);
    assert.equal(aloc.pathname, '/self-service/recovery/flows');
    const anext = (await get(t, `${aloc.pathname}${aloc.search}`)).json();
    assert.notEqual(anext.id, api.flow.id);
    assert.equal(anext.type, 'api');
    assert.deepEqual(anext.ui.messages, [{ id: 4711, text: 'recovery is paused for this account', type: 'error' }]);
    assert.deepEqual(await activeSessions(identity.id), []);
  });
});
