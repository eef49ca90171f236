import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachSpawnBackend, prepareDatabase, spawnPorta, tempDir, terminate, type Backend } from '../helpers/spawn.js';
import { startSink, type Sink } from '../helpers/smtp-sink.js';
import { enqueueMails } from '../helpers/courier.js';
import { courierConfig, openDb, waitFor, watch } from '../helpers/courier-spawn.js';

/** The courier worker as real processes: `porta serve --watch-courier` and `porta courier watch`. */

forEachSpawnBackend('courier worker processes', (backend: Backend) => {
  let sink: Sink;
  before(async () => {
    sink = await startSink();
  });
  after(() => sink.close());

  test('porta serve --watch-courier delivers a queued message; the admin API shows it sent; SIGTERM stops cleanly', async () => {
    const p = await spawnPorta({ backend, config: courierConfig(sink), args: ['--watch-courier'] });
    const db = await openDb(p.database);
    try {
      const [id] = await enqueueMails(db, [{ to: 'serve@example.com' }]);
      const m = await waitFor('sent', async () => {
        const body = (await (await fetch(`${p.adminURL}/admin/courier/messages/${id}`)).json()) as any;
        return body.status === 'sent' ? body : undefined;
      });
      assert.deepEqual(m.dispatches.map((d: any) => d.status), ['success']);
      const got = sink.received.find((r) => r.mail.messageId?.startsWith(`<${id}@`));
      assert.equal(got?.mail.from?.value[0].address, 'no-reply@ory.kratos.sh');
      assert.ok(got?.mail.text && got.mail.html);
    } finally {
      await db.close();
      await p.stop();
    }
  });

  test('a worker killed (SIGKILL) while the SMTP server holds DATA loses no message: another worker delivers it after the lease', async () => {
    const dir = tempDir();
    const database = await prepareDatabase(backend, dir);
    const db = await openDb(database);
    const held = await startSink();
    held.hold = true;
    const config = courierConfig(held, { porta: { courier: { claim_lease: '2s' } } });
    try {
      const [id] = await enqueueMails(db, [{ to: 'survivor@example.com' }]);
      const first = watch(dir, database, config, 'first');
      await held.waitForAttempts(1);
      assert.equal((await db.courier.getMessage(id))?.status, 'processing');
      first.child.kill('SIGKILL');
      await first.exited;
      held.hold = false;
      const second = watch(dir, database, config, 'second');
      try {
        await held.waitFor(1, 30_000);
        const m = await waitFor('sent', async () => {
          const m = await db.courier.getMessage(id);
          return m?.status === 'sent' ? m : undefined;
        });
        assert.equal(m.sendCount, 2, 'the dead attempt counts');
        assert.ok(held.received[0].mail.messageId?.startsWith(`<${id}@`));
      } finally {
        const res = await terminate(second);
        assert.equal(res.code, 0, res.stderr);
      }
    } finally {
      await db.close();
      await held.close();
      await database.drop();
    }
  });
});

