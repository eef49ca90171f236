import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CaptureServer, b64 } from '../../helpers/capture.js';
import { FAST_CLIENT, adminGet, registerAPI } from './helpers.js';

// Steered by the submitted transient_payload: cancel (case 11), an endless loop (the time limit), or a body.
const STEERED = `function(ctx)
  local mode = if std.objectHas(ctx.flow, "transient_payload") then ctx.flow.transient_payload.mode else "";
  local spin(n) = spin(n + 1) tailstrict;
  if mode == "cancel" then error "cancel"
  else if mode == "loop" then spin(0)
  else if mode == "missing" then { a: ctx.nope.x }
  else { z: 1, a: 2 }`;

const hooks = (url: string, extra: Record<string, unknown> = {}) => ({
  selfservice: {
    flows: { registration: { after: { password: { hooks: [{ hook: 'web_hook', config: { url, method: 'POST', body: b64(STEERED), ...extra } }, { hook: 'session' }] } } } },
  },
  porta: FAST_CLIENT,
});

async function startupError(config: Record<string, unknown>): Promise<string> {
  try {
    const t = await startApp({ config });
    await t.close();
  } catch (err) {
    return (err as Error).message;
  }
  return 'started';
}

// Part D cases 11, 12, 16 and the Jsonnet sandbox; 14, 16, 24, 46 start-up errors; 25 private ranges.
forEachBackend('web_hook Jsonnet sandbox and private ranges', (backend) => {
  let t: TestApp;
  let r: CaptureServer;
  before(async () => {
    r = await CaptureServer.start();
    t = await startApp({
      backend,
      config: {
        ...hooks(r.url('/hook')),
        clients: { http: { disallow_private_ip_ranges: true, private_ip_exception_urls: [r.url('/hook')] } },
      },
    });
  });
  after(async () => {
    await r.close();
    await t?.close();
  });
  beforeEach(() => r.reset());

  test('12: the body is Jsonnet\'s manifest (sorted keys, 3 spaces); the exception URL passes the private-range guard', async () => {
    const { res } = await registerAPI(t);
    assert.equal(res.status, 200, res.body);
    assert.equal(r.requests[0].body, '{\n   "a": 2,\n   "z": 1\n}\n');
  });

  test('11: error "cancel" sends nothing and the registration succeeds', async () => {
    const { res } = await registerAPI(t, { transient_payload: { mode: 'cancel' } });
    assert.equal(res.status, 200, res.body);
    assert.equal(r.requests.length, 0);
  });

  test('an endless template is stopped by the time limit: 500, nothing sent, the identity exists (post-persist)', async () => {
    const { res, email } = await registerAPI(t, { transient_payload: { mode: 'loop' } });
    assert.equal(res.status, 500, res.body);
    assert.equal(res.json().error.code, 500);
    assert.equal(r.requests.length, 0);
    assert.equal((await adminGet(t, `/admin/identities?credentials_identifier=${encodeURIComponent(email)}`)).json().length, 1);
    // The pool replaced the killed worker: the next registration works.
    assert.equal((await registerAPI(t)).res.status, 200);
  });

  test('16: a runtime error answers 500 without a session token', async () => {
    const { res } = await registerAPI(t, { transient_payload: { mode: 'missing' } });
    assert.equal(res.status, 500);
    assert.equal(res.json().session_token, undefined);
  });

  test('25: with disallow_private_ip_ranges a loopback receiver is refused and gets nothing', async () => {
    const other = await startApp({
      backend: 'sqlite',
      config: { ...hooks(r.url('/private')), clients: { http: { disallow_private_ip_ranges: true } } },
    });
    try {
      const { res } = await registerAPI(other);
      assert.equal(res.status, 502, res.body);
      assert.equal(r.requests.length, 0);
    } finally {
      await other.close();
    }
  });
});

test('start-up errors name the key: import, syntax error, no body, bad Content-Type, ignore+parse, parse on logout', async () => {
  const url = 'http://127.0.0.1:9/hook';
  const dir = mkdtempSync(join(tmpdir(), 'porta-wh-'));
  writeFileSync(join(dir, 'lib.libsonnet'), '{}');
  const key = 'selfservice.flows.registration.after.password.hooks[0].config';
  const reg = (config: Record<string, unknown>) => ({
    selfservice: { flows: { registration: { after: { password: { hooks: [{ hook: 'web_hook', config: { url, method: 'POST', ...config } }] } } } } },
  });
  assert.match(await startupError(reg({ body: b64(`local l = import "${join(dir, 'lib.libsonnet')}"; function(ctx) l`) })), new RegExp(`${key.replace(/[[\].]/g, '\\$&')}\\.body.*"import" is not allowed`));
  assert.match(await startupError(reg({ body: b64('function(ctx) importstr "/etc/passwd"') })), /"importstr" is not allowed/);
  assert.match(await startupError(reg({ body: b64('function(ctx) {') })), /hooks\[0\]\.config\.body" names a template that does not compile/);
  assert.match(await startupError(reg({})), /hooks\[0\]\.config\.body" is required/);
  assert.match(await startupError(reg({ body: b64('{}'), headers: { 'Content-Type': 'text/plain' } })), /config\.headers\.Content-Type" must be exactly/);
  assert.match(await startupError(reg({ body: b64('{}'), response: { ignore: true, parse: true } })), /config\.response\.ignore" cannot be combined/);
  const logout = { selfservice: { flows: { logout: { after: { hooks: [{ hook: 'web_hook', config: { url, method: 'POST', body: b64('{}'), can_interrupt: true } }] } } } } };
  assert.match(await startupError(logout), /logout\.after\.hooks\[0\]\.config\.response\.parse" and "can_interrupt" are not allowed/);
  // Kratos refuses hook names it does not know; a secret in a hook config is never echoed.
  const bad = await startupError({ selfservice: { flows: { login: { after: { hooks: [{ hook: 'nope', config: { password: 'hunter2' } }] } } } } });
  assert.match(bad, /selfservice\.flows\.login\.after\.hooks/);
  assert.doesNotMatch(bad, /hunter2/);
});
