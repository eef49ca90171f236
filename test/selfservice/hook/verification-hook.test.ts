import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureServer } from '../../helpers/capture.js';
import { latestQueuedCode } from '../../helpers/courier.js';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CookieJar } from '../../helpers/jar.js';
import { seedIdentity } from '../../helpers/seed.js';
import { FORM, form, get, post, type Res } from '../login/helpers.js';

/**
 * verification.after.hooks with web_hook (hooks spec A.1, A.2): one call when a code passes the
 * challenge, with the identity and the flow; Kratos calls it before it marks the address verified, so a
 * failing or refusing receiver leaves the address unverified.
 */

const b64 = (tpl: string) => `base64://${Buffer.from(tpl).toString('base64')}`;
const BODY = b64(`function(ctx) {
  kind: ctx.flow.type, flow_id: ctx.flow.id,
  s: if std.objectHas(ctx, "session") then ctx.session.id,
  i: if std.objectHas(ctx, "identity") then ctx.identity,
}`);
const UI = 'http://localhost:4455/verification';
const UPSTREAM = 'A third-party upstream service responded improperly. Please try again later.';

type Json = Record<string, any>;

forEachBackend('web_hook after verification', (backend) => {
  let r: CaptureServer;
  let t: TestApp;
  before(async () => {
    r = await CaptureServer.start();
    t = await startApp({
      backend,
      config: {
        porta: { web_hook: { jsonnet_timeout: '5s', retry_wait_min: '10ms', retry_wait_max: '20ms' }, send_throttle: { per_recipient: 50 } },
        selfservice: {
          flows: { verification: { enabled: true, ui_url: UI, after: { hooks: [{ hook: 'web_hook', config: { url: `${r.url}/verified`, method: 'POST', body: BODY, can_interrupt: true } }] } } },
        },
      },
    });
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

  const codeFor = (to: string) => latestQueuedCode(t, to, 'verification_code_valid');
  const addressOf = async (id: string): Promise<Json> => (await t.app.admin.inject({ method: 'GET', url: `/admin/identities/${id}` })).json().verifiable_addresses[0];

  /** Native: init, send the code, redeem it. */
  async function verifyAPI(email: string): Promise<{ flow: Json; res: Res }> {
    const flow = (await get(t, '/self-service/verification/api')).json();
    const json = { 'content-type': 'application/json', accept: 'application/json' };
    const sent = await post(t, `/self-service/verification?flow=${flow.id}`, JSON.stringify({ method: 'code', email }), json);
    assert.equal(sent.status, 200, sent.body);
    const res = await post(t, `/self-service/verification?flow=${flow.id}`, JSON.stringify({ method: 'code', code: await codeFor(email) }), json);
    return { flow, res };
  }

  test('native: the hook runs once on passed_challenge with the identity and no session; the address ends verified', async () => {
    reset();
    const identity = await seedIdentity(t);
    const { flow, res } = await verifyAPI(identity.traits.email as string);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json().state, 'passed_challenge');
    assert.equal(r.requests.length, 1);
    const body = JSON.parse(r.requests[0].body);
    assert.deepEqual({ kind: body.kind, flow_id: body.flow_id, s: body.s }, { kind: 'api', flow_id: flow.id, s: null });
    assert.equal(body.i.id, identity.id);
    assert.equal(body.i.credentials, undefined);
    assert.equal(body.i.metadata_admin, undefined);
    const addr = await addressOf(identity.id);
    assert.deepEqual({ verified: addr.verified, status: addr.status }, { verified: true, status: 'completed' });
  });

  test('browser form: the hook runs once, then the flow passes', async () => {
    reset();
    const identity = await seedIdentity(t);
    const email = identity.traits.email as string;
    const jar = new CookieJar();
    const init = await get(t, '/self-service/verification/browser', { accept: 'text/html' });
    jar.store(init.headers);
    const id = new URL(init.headers.location).searchParams.get('flow');
    const flow = (await get(t, `/self-service/verification/flows?id=${id}`, { cookie: jar.header() })).json();
    const csrf = flow.ui.nodes.find((n: Json) => n.attributes.name === 'csrf_token').attributes.value;
    const headers = () => ({ 'content-type': FORM, accept: 'text/html', cookie: jar.header() });
    const sent = await post(t, `/self-service/verification?flow=${id}`, form({ csrf_token: csrf, method: 'code', email }), headers());
    assert.equal(sent.status, 303, sent.body);
    jar.store(sent.headers);
    const res = await post(t, `/self-service/verification?flow=${id}`, form({ csrf_token: csrf, method: 'code', code: await codeFor(email) }), headers());
    assert.equal(res.status, 303, res.body);
    assert.equal(r.requests.length, 1);
    const body = JSON.parse(r.requests[0].body);
    assert.deepEqual({ kind: body.kind, flow_id: body.flow_id, iid: body.i.id }, { kind: 'browser', flow_id: id, iid: identity.id });
    assert.equal((await addressOf(identity.id)).verified, true);
  });

  test('a failing receiver (400, no messages): 502, and the address stays unverified (Kratos verifies after the hook)', async () => {
    reset();
    r.fallback = { status: 400 };
    const identity = await seedIdentity(t);
    const { res } = await verifyAPI(identity.traits.email as string);
    assert.equal(res.status, 502, res.body);
    assert.equal(res.json().error.reason, UPSTREAM);
    const addr = await addressOf(identity.id);
    assert.deepEqual({ verified: addr.verified, status: addr.status }, { verified: false, status: 'sent' });
  });

  test('an interrupting receiver: a new flow carries its message (Kratos retries the flow), the code is spent, the address stays unverified', async () => {
    reset();
    r.script.push({ status: 400, body: JSON.stringify({ messages: [{ instance_ptr: '#/', messages: [{ id: 4711, text: 'not now', type: 'error' }] }] }) });
    const identity = await seedIdentity(t);
    const email = identity.traits.email as string;
    const { flow, res } = await verifyAPI(email);
    assert.equal(res.status, 303, res.body);
    const loc = new URL(res.headers.location);
    assert.equal(loc.pathname, '/self-service/verification/flows');
    const next = (await get(t, `${loc.pathname}${loc.search}`)).json();
    assert.notEqual(next.id, flow.id);
    assert.equal(next.type, 'api');
    assert.equal(next.state, 'choose_method');
    assert.deepEqual(next.ui.messages, [{ id: 4711, text: 'not now', type: 'error' }]);
    assert.equal((await addressOf(identity.id)).verified, false);

    const json = { 'content-type': 'application/json', accept: 'application/json' };
    const replay = await post(t, `/self-service/verification?flow=${flow.id}`, JSON.stringify({ method: 'code', code: await codeFor(email) }), json);
    assert.equal(replay.status, 200, replay.body);
    assert.deepEqual(replay.json().ui.messages.map((m: Json) => m.id), [4070006], 'the spent code is an invalid code now');
    assert.equal(r.requests.length, 1, 'no second hook call');
    assert.equal((await addressOf(identity.id)).verified, false);
  });
});
