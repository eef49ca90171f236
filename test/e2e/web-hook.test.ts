import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachSpawnBackend, spawnPorta, type PortaProcess } from '../helpers/spawn.js';
import { CaptureServer, b64 } from '../helpers/capture.js';

const REG = 'function(ctx) {identity_id: ctx.identity.id, email: ctx.identity.traits.email}';
const OUT = 'function(ctx) {sid: ctx.session.id, t: ctx.flow.type, active: ctx.session.active}';

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { ...init, headers: { accept: 'application/json', 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// Part D cases 1 and 43 against a real `porta serve`: the Jsonnet workers run beside the built server.
forEachSpawnBackend('web_hook and logout hooks in porta serve', (backend) => {
  let porta: PortaProcess;
  let r: CaptureServer;
  before(async () => {
    r = await CaptureServer.start();
    porta = await spawnPorta({
      backend,
      config: {
        selfservice: {
          flows: {
            registration: {
              after: { password: { hooks: [{ hook: 'web_hook', config: { url: r.url('/reg'), method: 'POST', body: b64(REG) } }, { hook: 'session' }] } },
            },
            logout: { after: { hooks: [{ hook: 'web_hook', config: { url: r.url('/out'), method: 'POST', body: b64(OUT) } }] } },
          },
        },
      },
    });
  });
  after(async () => {
    await r.close();
    await porta?.stop();
  });

  test('registration calls its hook before the session is issued; the native logout calls the logout hook before its 204', async () => {
    const flow = await json(`${porta.publicURL}/self-service/registration/api`);
    const email = `spawn-${process.pid}-${backend}@example.org`;
    const reg = await json(`${porta.publicURL}/self-service/registration?flow=${flow.body.id}`, {
      method: 'POST',
      body: JSON.stringify({ method: 'password', password: 'l3f9toh1uaf81n21', traits: { email, website: 'https://www.ory.sh' } }),
    });
    assert.equal(reg.status, 200, JSON.stringify(reg.body));
    assert.equal(r.requests.length, 1);
    assert.equal(r.requests[0].path, '/reg');
    assert.deepEqual(r.json(0), { identity_id: reg.body.identity.id, email });

    const out = await json(`${porta.publicURL}/self-service/logout/api`, { method: 'DELETE', body: JSON.stringify({ session_token: reg.body.session_token }) });
    assert.equal(out.status, 204);
    assert.equal(r.requests.length, 2, 'the logout hook ran before the 204');
    assert.deepEqual(r.json(1), { sid: reg.body.session.id, t: 'api', active: false });
  });
});
