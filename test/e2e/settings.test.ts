import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachSpawnBackend, spawnPorta, type PortaProcess } from '../helpers/spawn.js';
import { createIdentity, failureOf, frontend, nativeLogin } from './client.js';

const NEW_PASSWORD = 'another-long-passphrase-q7w';

async function loginStatus(publicURL: string, email: string, password: string): Promise<number> {
  const api = frontend(publicURL);
  const flow = await api.createNativeLoginFlow();
  try {
    await api.updateLoginFlow({ flow: flow.data.id, updateLoginFlowBody: { method: 'password', identifier: email, password } });
    return 200;
  } catch (err) {
    return (err as { response: { status: number } }).response.status;
  }
}

// Issue 11 "Done when": settings through @ory/client against a spawned `porta serve` (the old-session
// case is settings-stale.test.ts, one spawned server per file so each stays within the test timeout).
forEachSpawnBackend('settings against a spawned porta serve', (backend) => {
  let fresh: PortaProcess;
  before(async () => {
    const hooks = { after: { password: { hooks: [{ hook: 'revoke_active_sessions' }] } } };
    fresh = await spawnPorta({ backend, config: { selfservice: { flows: { settings: { privileged_session_max_age: '15m', ...hooks } } } } });
  });
  after(async () => {
    await fresh?.stop();
  });

  test('native password change: the other sessions end, the old password fails, the new one works', async () => {
    const { email } = await createIdentity(fresh.adminURL);
    const me = await nativeLogin(fresh.publicURL, email);
    const other = await nativeLogin(fresh.publicURL, email);
    const api = frontend(fresh.publicURL);
    const flow = await api.createNativeSettingsFlow({ xSessionToken: me.token });
    const done = await api.updateSettingsFlow({ flow: flow.data.id, xSessionToken: me.token, updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD } });
    assert.equal(done.data.state, 'success');
    assert.equal((await failureOf(api.toSession({ xSessionToken: other.token }))).status, 401);
    assert.equal((await api.toSession({ xSessionToken: me.token })).status, 200);
    assert.equal(await loginStatus(fresh.publicURL, email, 'a-long-passphrase-9f3k2'), 400);
    assert.equal(await loginStatus(fresh.publicURL, email, NEW_PASSWORD), 200);
  });
});
