import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureServer } from '../../helpers/capture.js';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { seedLogin } from '../../helpers/seed.js';
import { apiFlow, submitAPI } from '../login/helpers.js';

const PASSWORD = 'l3f9toh1uaf81n21';
const b64 = (tpl: string) => `base64://${Buffer.from(tpl).toString('base64')}`;
const BODY = b64(`function(ctx) {
  kind: ctx.flow.type, flow_id: ctx.flow.id,
  s: if std.objectHas(ctx, "session") then ctx.session.id,
  i: if std.objectHas(ctx, "identity") then ctx.identity,
}`);

forEachBackend('web_hook on login, settings, recovery and verification', (backend) => {
  let r: CaptureServer;
  let t: TestApp;
  const hook = (path: string) => [{ hook: 'web_hook', config: { url: `${r.url}${path}`, method: 'POST', body: BODY } }];
  before(async () => {
    r = await CaptureServer.start();
    t = await startApp({
      backend,
      config: {
        porta: { web_hook: { jsonnet_timeout: '5s', retry_wait_min: '10ms', retry_wait_max: '20ms' } },
        selfservice: {
          flows: {
            login: { before: { hooks: hook('/login-before') }, after: { password: { hooks: hook('/login-after') } } },
            settings: { after: { profile: { hooks: hook('/settings-after') } } },
            recovery: { enabled: true, before: { hooks: hook('/recovery-before') } },
            verification: { enabled: true, before: { hooks: hook('/verification-before') } },
          },
        },
      },
    });
  });
  after(async () => {
    await t.close();
    await r.close();
  });
  const last = (path: string) => {
    const got = r.requests.filter((q) => q.path === path);
    assert.equal(got.length, 1, path);
    return JSON.parse(got[0].body);
  };

  test('D38: login before and after; the after-hook sees the new session (its id is the one issued) and the identity without secrets', async () => {
    const u = await seedLogin(t, { password: PASSWORD });
    const flow = await apiFlow(t, 'login');
    assert.equal(last('/login-before').flow_id, flow.id);
    const res = await submitAPI(t, 'login', flow.id, { method: 'password', identifier: u.identity.traits.email, password: PASSWORD });
    assert.equal(res.status, 200, res.body);
    const body = last('/login-after');
    assert.equal(body.s, res.json().session.id);
    assert.equal(body.i.id, u.identity.id);
    assert.equal(body.i.credentials, undefined);
    assert.equal(body.i.metadata_admin, undefined);
  });

  test('settings after (profile) sees the caller\'s session and the updated identity', async () => {
    const u = await seedLogin(t);
    const flow = await apiFlow(t, 'settings' as 'login', '', { 'x-session-token': u.token });
    const res = await submitAPI(t, 'settings' as 'login', flow.id, { method: 'profile', traits: { email: u.identity.traits.email, website: 'https://changed.example.org' } }, { 'x-session-token': u.token });
    assert.equal(res.status, 200, res.body);
    const body = last('/settings-after');
    assert.equal(body.s, u.session.id);
    assert.equal(body.i.traits.website, 'https://changed.example.org');
  });

  test('recovery and verification before-hooks run at flow creation', async () => {
    const rec = await apiFlow(t, 'recovery' as 'login');
    assert.equal(last('/recovery-before').flow_id, rec.id);
    const ver = await apiFlow(t, 'verification' as 'login');
    const body = last('/verification-before');
    assert.equal(body.flow_id, ver.id);
    assert.equal(body.i, null);
  });
});
