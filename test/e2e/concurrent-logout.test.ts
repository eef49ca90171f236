import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachSpawnBackend, spawnPorta, type PortaProcess } from '../helpers/spawn.js';
import { assertWhoami401, browserLogin, burst, call, createIdentity, nativeLogin, tally } from './client.js';
import { adminSessionActive, clearsSessionCookie, concurrentCookieLogouts, concurrentNativeLogouts, logoutPath } from './logout-checks.js';

// Issue 4: concurrent logouts of the same session all answer as Kratos would, no 500, never left active.
forEachSpawnBackend('50 concurrent logouts of one session on a spawned porta serve', (backend) => {
  let p: PortaProcess;
  let email: string;
  before(async () => {
    p = await spawnPorta({ backend });
    email = (await createIdentity(p.adminURL)).email;
  });
  after(async () => {
    await p.stop();
  });

  test('browser logout (JSON client): 204 then 401 session_inactive, session inactive', async (t) => {
    const { cookie, sessionId } = await browserLogin(p.publicURL, email);
    const path = await logoutPath(p.publicURL, { cookie });
    const counts = await concurrentCookieLogouts([p.publicURL], cookie, path);
    t.diagnostic(`answers: ${JSON.stringify(counts)}`);
    assert.equal(await adminSessionActive(p.adminURL, sessionId), false);
    assertWhoami401(await call(`${p.publicURL}/sessions/whoami`, { headers: { cookie } }), 'whoami after the burst');
  });

  test('browser logout (browser client): every answer is a 303, to the return URL or the error UI', async (t) => {
    const { cookie, sessionId } = await browserLogin(p.publicURL, email);
    const path = await logoutPath(p.publicURL, { cookie });
    const answers = await burst(50, () => call(`${p.publicURL}${path}`, { headers: { cookie } }));
    assert.deepEqual(tally(answers.map((a) => a.status)), { 303: 50 });
    const targets = answers.map((a) => (a.headers.get('location') ?? '').replace(/\?id=.*/, '?id=…'));
    const kinds = tally(targets.map((l) => (l === 'http://localhost:4455/login' ? 1 : l === 'http://localhost:4455/error?id=…' ? 2 : 0)));
    t.diagnostic(`to the return URL: ${kinds[1] ?? 0}, to the error UI: ${kinds[2] ?? 0}`);
    assert.equal(kinds[0], undefined, `unexpected Location: ${targets.join(', ')}`);
    assert.ok((kinds[1] ?? 0) >= 1, 'at least one logout succeeds');
    for (const a of answers) assert.ok(clearsSessionCookie(a), 'every answer clears the stale session cookie');
    assert.equal(await adminSessionActive(p.adminURL, sessionId), false);
  });

  test('native logout: all 204, session inactive, other sessions untouched', async () => {
    const victim = await nativeLogin(p.publicURL, email);
    const bystander = await nativeLogin(p.publicURL, email);
    await concurrentNativeLogouts([p.publicURL], victim.token);
    assert.equal(await adminSessionActive(p.adminURL, victim.sessionId), false);
    assertWhoami401(await call(`${p.publicURL}/sessions/whoami`, { headers: { 'x-session-token': victim.token } }), 'victim');
    assert.equal((await call(`${p.publicURL}/sessions/whoami`, { headers: { 'x-session-token': bystander.token } })).status, 200);
  });
});
