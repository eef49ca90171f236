import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachSpawnBackend, spawnPorta, type Backend, type PortaProcess } from '../helpers/spawn.js';
import { CaptureServer } from '../helpers/capture.js';
import { call, frontend, identityApi, nativeLogin, PASSWORD, traits, uniqueEmail } from './client.js';

// web_hook end to end (issue 12): a spawned `porta serve`, so the Jsonnet child-process pool, the HTTP client
// and the hook lists run as in production, with a real receiver on loopback. The in-process suites under
// test/selfservice/hook/ cover Part D case by case; this checks that the same works in the real process.
const b64 = (tpl: string) => `base64://${Buffer.from(tpl).toString('base64')}`;
const REGISTRATION = b64('function(ctx) { id: ctx.identity.id, email: ctx.identity.traits.email, flow: ctx.flow.type }');
const LOGOUT = b64('function(ctx) { sid: ctx.session.id, iid: ctx.identity.id, active: ctx.session.active, headers: ctx.request_headers }');
const NIL = '00000000-0000-0000-0000-000000000000';

forEachSpawnBackend('web_hook in a spawned porta serve', (backend: Backend) => {
  let r: CaptureServer;
  let p: PortaProcess;
  before(async () => {
    r = await CaptureServer.start();
    const hook = (path: string, body: string, extra: Record<string, unknown> = {}) => ({ hook: 'web_hook', config: { url: `${r.url}${path}`, method: 'POST', body, ...extra } });
    p = await spawnPorta({
      backend,
      config: {
        porta: { web_hook: { retry_wait_min: '10ms', retry_wait_max: '40ms', jsonnet_timeout: '5s' } },
        selfservice: {
          flows: {
            registration: { after: { password: { hooks: [hook('/parse', REGISTRATION, { response: { parse: true } }), hook('/after', REGISTRATION), { hook: 'session' }] } } },
            logout: { after: { hooks: [hook('/logout', LOGOUT)] } },
          },
        },
      },
    });
  });
  after(async () => {
    await p?.stop();
    await r?.close();
  });

  test('native registration: the parse hook changes the identity before it is stored, the next hook sees it stored', async () => {
    r.requests.length = 0;
    const email = uniqueEmail('wh');
    r.script.push({ status: 200, body: JSON.stringify({ identity: { metadata_public: { plan: 'gold' } } }) });
    const api = frontend(p.publicURL);
    const flow = await api.createNativeRegistrationFlow();
    const res = await api.updateRegistrationFlow({ flow: flow.data.id, updateRegistrationFlowBody: { method: 'password', password: PASSWORD, traits: traits(email) } });
    assert.equal(res.status, 200);
    const id = res.data.identity.id;
    const [parse] = await r.waitFor(1, 15_000, (c) => c.path === '/parse');
    assert.deepEqual(JSON.parse(parse.body), { id: NIL, email, flow: 'api' }, 'pre-persist: no id yet');
    const [afterHook] = await r.waitFor(1, 15_000, (c) => c.path === '/after');
    assert.deepEqual(JSON.parse(afterHook.body), { id, email, flow: 'api' });
    const stored = await identityApi(p.adminURL).getIdentity({ id });
    assert.deepEqual(stored.data.metadata_public, { plan: 'gold' });
  });

  test('API logout: the logout hook hears the ended session, without the session token', async () => {
    r.requests.length = 0;
    const email = uniqueEmail('whlo');
    const created = await identityApi(p.adminURL).createIdentity({
      createIdentityBody: { schema_id: 'default', traits: traits(email), credentials: { password: { config: { password: PASSWORD } } } },
    });
    const { token, sessionId } = await nativeLogin(p.publicURL, email);
    const out = await call(`${p.publicURL}/self-service/logout/api`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session_token: token }) });
    assert.equal(out.status, 204);
    const [req] = await r.waitFor(1, 15_000, (c) => c.path === '/logout');
    const body = JSON.parse(req.body);
    assert.deepEqual({ sid: body.sid, iid: body.iid, active: body.active }, { sid: sessionId, iid: created.data.id, active: false });
    assert.ok(!req.body.includes(token), 'no session token reaches the receiver');
    // A repeat answers 204 as Kratos does but ends nothing, so no hook runs (hooks run before the answer).
    const again = await call(`${p.publicURL}/self-service/logout/api`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session_token: token }) });
    assert.equal(again.status, 204);
    assert.equal(r.requests.filter((c) => c.path === '/logout').length, 1);
  });
});
