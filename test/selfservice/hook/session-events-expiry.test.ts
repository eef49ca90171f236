import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachSpawnBackend, spawnPorta, type Backend, type PortaProcess } from '../../helpers/spawn.js';
import { CaptureServer, type Captured } from '../../helpers/capture.js';
import { call, createIdentity, nativeLogin } from '../../e2e/client.js';

/**
 * hooks-and-session-events-spec Part D 59: two receivers of one event, one failing for good. The healthy
 * one gets the event exactly once; the failing one is retried until `delivery.max_age` and then ends
 * `expired`, against a spawned `porta serve`.
 */

forEachSpawnBackend('session events: one receiver down for good', (backend: Backend) => {
  let down: CaptureServer;
  let up: CaptureServer;
  let p: PortaProcess;
  before(async () => {
    down = await CaptureServer.start();
    up = await CaptureServer.start();
    down.fallback = { status: 500 };
    p = await spawnPorta({
      backend,
      config: {
        porta: {
          session_events: {
            receivers: [
              { id: 'down', url: `${down.url}/ev` },
              { id: 'up', url: `${up.url}/ev` },
            ],
            delivery: { initial_interval: '50ms', max_interval: '100ms', timeout: '1s', poll_interval: '100ms', max_age: '1s' },
          },
        },
      },
    });
  });
  after(async () => {
    await p?.stop();
    await down?.close();
    await up?.close();
  });

  const ofIdentity = (id: string) => (c: Captured) => JSON.parse(c.body).identity?.id === id;

  /** Polls the admin list until the delivery of `eventId` to `receiver` is in a final state. */
  async function finalState(receiver: string, eventId: string): Promise<any> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await call(`${p.adminURL}/admin/porta/session-events/deliveries?receiver_id=${receiver}&page_size=1000`);
      assert.equal(res.status, 200);
      const d = (res.body as any[]).find((x) => x.event_id === eventId);
      if (d && d.state !== 'pending') return d;
      if (Date.now() > deadline) assert.fail(`delivery of ${eventId} to ${receiver} is still ${d?.state}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test('D59: the healthy receiver gets exactly one request; the failing one is retried, then expired after max_age', async () => {
    const { id, email } = await createIdentity(p.adminURL);
    const s = await nativeLogin(p.publicURL, email);
    const out = await call(`${p.publicURL}/self-service/logout/api`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session_token: s.token }) });
    assert.equal(out.status, 204);
    const [ok] = await up.waitFor(1, 15_000, ofIdentity(id));
    const eventId = JSON.parse(ok.body).id;

    const failed = await finalState('down', eventId);
    assert.equal(failed.state, 'expired');
    assert.equal(failed.last_status, 500);
    const attempts = down.requests.filter(ofIdentity(id));
    assert.ok(attempts.length >= 2, `the failing receiver was retried (${attempts.length} attempts)`);
    assert.equal(failed.attempts, attempts.length, 'the claim that finds it past max_age sends nothing and counts no attempt');
    assert.ok(attempts.every((c) => JSON.parse(c.body).id === eventId));

    assert.equal((await finalState('up', eventId)).state, 'delivered');
    assert.equal(up.requests.filter(ofIdentity(id)).length, 1, 'exactly one request to the healthy receiver');
  });
});
