import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachSpawnBackend, spawnPorta, type Backend, type PortaProcess } from '../helpers/spawn.js';
import { CaptureServer } from '../helpers/capture.js';
import { call, createIdentity, nativeLogin } from './client.js';
import { apiLogout, config, eventId, READY, sessionOf } from './session-events-util.js';

// At least once across crashes (hooks-and-session-events-spec §C.4.4, Part D 58): events written while
// the receiver is down survive a SIGKILL of the process that wrote them.

async function pendingEventIds(p: PortaProcess, n: number): Promise<Set<string>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await call(`${p.adminURL}/admin/porta/session-events/deliveries?state=pending&page_size=1000`);
    const tried = (res.body as any[]).filter((d) => d.attempts >= 1);
    if (tried.length >= n) return new Set((res.body as any[]).map((d) => d.event_id));
    if (Date.now() > deadline) assert.fail(`only ${tried.length} of ${n} deliveries were attempted`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

forEachSpawnBackend('session events survive SIGKILL', (backend: Backend) => {
  test('a burst of logouts while the receiver is down, SIGKILL, restart with the receiver up: every event arrives, same ids (58)', async () => {
    const r = await CaptureServer.start();
    const port = r.port;
    await r.close();
    const first = await spawnPorta({ backend, config: config(r.url), readyTimeoutMs: READY });
    let second: PortaProcess | undefined;
    try {
      const { email } = await createIdentity(first.adminURL);
      const sessions = [];
      for (let i = 0; i < 10; i++) sessions.push(await nativeLogin(first.publicURL, email));
      const outs = await Promise.all(sessions.map((s) => apiLogout(first, s.token)));
      assert.deepEqual(
        outs.map((o) => o.status),
        sessions.map(() => 204),
      );
      const ids = await pendingEventIds(first, 10);
      assert.equal(ids.size, 10);
      first.child.kill('SIGKILL');
      await first.exited;

      await r.listen(port);
      second = await spawnPorta({ database: first.database, config: config(r.url), readyTimeoutMs: READY });
      const got = await r.waitFor(10, 20_000);
      assert.deepEqual(new Set(got.map(eventId)), ids);
      assert.deepEqual(new Set(got.map(sessionOf)), new Set(sessions.map((s) => s.sessionId)));
    } finally {
      await second?.stop().catch(() => {});
      await first.database.drop();
      await r.close();
    }
  });
});
