import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PG_SKIP, prepareDatabase, spawnPorta, tempDir } from '../helpers/spawn.js';
import { CaptureServer } from '../helpers/capture.js';
import { createIdentity, nativeLogin } from './client.js';
import { apiLogout, config, eventId, READY, sessionOf } from './session-events-util.js';

// Two `porta serve` processes on one PostgreSQL (hooks-and-session-events-spec §C.4.4, Part D 61): each
// event is delivered once while both live, and none is lost while one of them is killed mid-send.
test('two processes on one PostgreSQL: each event delivered once, none lost while one is killed (61)', { skip: PG_SKIP }, async () => {
  const r = await CaptureServer.start();
  r.fallback = { status: 200, delayMs: 100 };
  const db = await prepareDatabase('postgres', tempDir());
  const [a, b] = await Promise.all([spawnPorta({ database: db, config: config(r.url), readyTimeoutMs: READY }), spawnPorta({ database: db, config: config(r.url), readyTimeoutMs: READY })]);
  try {
    const { email } = await createIdentity(a.adminURL);
    const sessions = [];
    for (let i = 0; i < 40; i++) sessions.push(await nativeLogin(i % 2 ? a.publicURL : b.publicURL, email));

    // Both alive: every event exactly once.
    await Promise.all(sessions.slice(0, 20).map((s, i) => apiLogout(i % 2 ? a : b, s.token)));
    const calm = await r.waitFor(20, 20_000);
    await new Promise((res) => setTimeout(res, 500));
    assert.equal(r.requests.length, 20, 'no duplicates while no process crashes');
    assert.equal(new Set(calm.map(eventId)).size, 20);

    // B is killed with sends in flight: A takes over once B's leases lapse; nothing is lost.
    await Promise.all(sessions.slice(20, 30).map((s) => apiLogout(b, s.token)));
    b.child.kill('SIGKILL');
    await b.exited;
    await Promise.all(sessions.slice(30).map((s) => apiLogout(a, s.token)));
    const deadline = Date.now() + 30_000;
    while (new Set(r.requests.map(sessionOf)).size < 40 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    assert.deepEqual(new Set(r.requests.map(sessionOf)), new Set(sessions.map((s) => s.sessionId)));
    assert.equal(new Set(r.requests.map(eventId)).size, 40);
  } finally {
    await a.stop().catch(() => {});
    await db.drop();
    await r.close();
  }
});
