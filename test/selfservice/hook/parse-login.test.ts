import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CaptureServer, b64 } from '../../helpers/capture.js';
import { CookieJar } from '../../helpers/jar.js';
import { FORM, browserFlow, csrfOf, get, nodeOf, post } from '../login/helpers.js';
import { FAST_CLIENT, PASSWORD, TEMPLATE_H, adminGet, loginAPI, registerAPI, uniqueEmail } from './helpers.js';

const LOGIN_T = 'function(ctx) {s: ctx.session.id, i: ctx.identity}';

// Part D cases 26, 27, 29-31, 33, 35 (registration pre-persist with response.parse) and 38, 39 (login).
forEachBackend('web_hook parse, interrupt and login', (backend) => {
  let t: TestApp;
  let r: CaptureServer;
  let l: CaptureServer;
  before(async () => {
    r = await CaptureServer.start();
    l = await CaptureServer.start();
    t = await startApp({
      backend,
      config: {
        selfservice: {
          flows: {
            registration: {
              after: {
                password: {
                  hooks: [
                    { hook: 'web_hook', config: { url: r.url('/hook'), method: 'POST', body: b64(TEMPLATE_H), response: { parse: true } } },
                    { hook: 'session' },
                  ],
                },
              },
            },
            login: { after: { password: { hooks: [{ hook: 'web_hook', config: { url: l.url('/login'), method: 'POST', body: b64(LOGIN_T) } }] } } },
          },
        },
        porta: FAST_CLIENT,
      },
    });
  });
  after(async () => {
    await r.close();
    await l.close();
    await t?.close();
  });
  beforeEach(() => {
    r.reset();
    l.reset();
  });

  test('26, 27, 29: a 200 identity replaces traits and metadata; the hook saw the nil id', async () => {
    const email = uniqueEmail();
    r.answer({ status: 200, body: { identity: { traits: { email, website: 'https://www.example.org' }, metadata_public: { a: 1 }, metadata_admin: { b: 2 }, external_id: `ext-${email}` } } });
    const { res } = await registerAPI(t);
    assert.equal(res.status, 200, res.body);
    assert.equal(r.json().identity_id, '00000000-0000-0000-0000-000000000000');
    const id = res.json().identity.id;
    const stored = (await adminGet(t, `/admin/identities/${id}`)).json();
    assert.equal(stored.traits.email, email);
    assert.deepEqual(stored.metadata_public, { a: 1 });
    assert.deepEqual(stored.metadata_admin, { b: 2 });
    assert.equal((await adminGet(t, `/admin/identities/by/external/ext-${encodeURIComponent(email)}`)).json().id, id);
    // The changed email is the login identifier.
    assert.equal((await loginAPI(t, email)).status, 200);
  });

  test('28: 200 {} and {"identity":{}} keep the identity as submitted', async () => {
    r.answer({ status: 200, body: {} }, { status: 200, body: { identity: {} } });
    for (let i = 0; i < 2; i++) {
      const { res, email } = await registerAPI(t);
      assert.equal(res.status, 200, res.body);
      assert.equal(res.json().identity.traits.email, email);
    }
  });

  test('30: a 200 that is not JSON answers 502 and creates nothing [D2]', async () => {
    r.answer({ status: 200, body: 'not json' });
    const { res, email } = await registerAPI(t);
    assert.equal(res.status, 502, res.body);
    assert.equal((await adminGet(t, `/admin/identities?credentials_identifier=${encodeURIComponent(email)}`)).json().length, 0);
  });

  test('31-33: a 400 with Kratos messages is rendered into the flow; nothing is created', async () => {
    r.answer({
      status: 400,
      body: {
        messages: [
          { instance_ptr: '#/traits/email', messages: [{ id: 1234, text: 'taken', type: 'error' }, { id: 5, text: 'v', type: 'validation', context: { k: 'v' } }] },
          { instance_ptr: '#/', messages: [{ id: 6, text: 'form', type: 'error' }] },
          { instance_ptr: '#/traits/nickname', messages: [{ id: 7, text: 'nick', type: 'error' }] },
        ],
      },
    });
    const { res, email } = await registerAPI(t);
    assert.equal(res.status, 400, res.body);
    assert.equal(r.requests.length, 1);
    const flow = res.json();
    assert.deepEqual(nodeOf(flow, 'traits.email').messages, [{ id: 1234, text: 'taken', type: 'error' }, { id: 5, text: 'v', type: 'info', context: { k: 'v' } }]);
    assert.deepEqual(flow.ui.messages, [{ id: 6, text: 'form', type: 'error' }]);
    const nick = nodeOf(flow, 'traits.nickname');
    assert.equal(nick.attributes.type, 'text');
    assert.equal(nick.group, 'default');
    assert.deepEqual(nick.messages, [{ id: 7, text: 'nick', type: 'error' }]);
    assert.equal((await adminGet(t, `/admin/identities?credentials_identifier=${encodeURIComponent(email)}`)).json().length, 0);
  });

  test('34: a 400 without messages answers 502 [D2]', async () => {
    r.answer({ status: 400, body: { messages: [] } });
    assert.equal((await registerAPI(t)).res.status, 502);
  });

  test('35: a browser form interrupted is sent back to the form with the message and its email', async () => {
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'registration', jar);
    const email = uniqueEmail();
    r.answer({ status: 400, body: { messages: [{ instance_ptr: '#/traits/email', messages: [{ id: 1234, text: 'taken', type: 'error' }] }] } });
    const res = await post(t, `/self-service/registration?flow=${flow.id}`, new URLSearchParams({
      csrf_token: csrfOf(flow), method: 'password', password: PASSWORD, 'traits.email': email, 'traits.website': 'https://www.ory.sh',
    }).toString(), { 'content-type': FORM, cookie: jar.header() });
    // Porta's registration re-render status (flow/kinds), as for any other form error.
    assert.equal(res.status, 302, res.body);
    assert.equal(res.headers.location, `http://localhost:4455/registration?flow=${flow.id}`);
    const again = (await get(t, `/self-service/registration/flows?id=${flow.id}`, { cookie: jar.header() })).json();
    assert.deepEqual(nodeOf(again, 'traits.email').messages, [{ id: 1234, text: 'taken', type: 'error' }]);
    assert.equal(nodeOf(again, 'traits.email').attributes.value, email);
  });

  test('38, 39: login hooks see the new session and the identity without secrets; a 400 leaves no session', async () => {
    const { res, email } = await registerAPI(t);
    const identityId = res.json().identity.id;
    const ok = await loginAPI(t, email);
    assert.equal(ok.status, 200, ok.body);
    const seen = l.json();
    assert.equal(seen.s, ok.json().session.id);
    assert.equal(seen.i.id, identityId);
    assert.equal(seen.i.credentials, undefined);
    assert.equal(seen.i.metadata_admin, undefined);

    const before = (await adminGet(t, `/admin/identities/${identityId}/sessions`)).json().length;
    l.answer({ status: 400 });
    const failed = await loginAPI(t, email);
    assert.equal(failed.status, 502, failed.body);
    assert.equal((await adminGet(t, `/admin/identities/${identityId}/sessions`)).json().length, before);
  });
});
