import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PG_SKIP, prepareDatabase, tempDir, terminate, type Started } from '../helpers/spawn.js';
import { startSink } from '../helpers/smtp-sink.js';
import { enqueueMails } from '../helpers/courier.js';
import { courierConfig, openDb, waitFor, watch } from '../helpers/courier-spawn.js';

/** Row claiming with FOR UPDATE SKIP LOCKED: many workers, each message delivered once. */

describe('courier: two workers on one PostgreSQL', { skip: PG_SKIP }, () => {
  test('two `porta courier watch` processes deliver each of 300 messages exactly once', async () => {
    const dir = tempDir();
    const database = await prepareDatabase('postgres', dir);
    const db = await openDb(database);
    const sink = await startSink();
    const workers: Started[] = [];
    try {
      const ids = await enqueueMails(db, Array.from({ length: 300 }, (_, i) => ({ to: `bulk${i}@example.com` })));
      for (const name of ['w1', 'w2']) {
        workers.push(watch(dir, database, courierConfig(sink, { courier: { smtp: { local_name: `${name}.example.org` } } }), name));
      }
      await sink.waitFor(300, 120_000);
      await waitFor('all sent', async () => ((await db.courier.listMessages({ status: 'sent', limit: 1000 })).length === 300 ? true : undefined), 60_000);
      for (const w of workers) {
        const res = await terminate(w);
        assert.equal(res.code, 0, res.stderr);
      }
      const seen = sink.received.map((r) => r.mail.messageId ?? '');
      assert.equal(seen.length, 300, 'no message was delivered twice');
      assert.equal(new Set(seen).size, 300);
      const domains = new Set(seen.map((s) => s.slice(s.indexOf('@') + 1, -1)));
      for (const id of ids) assert.ok(seen.some((s) => s.startsWith(`<${id}@`)), id);
      process.stdout.write(`# 300 messages delivered by ${[...domains].join(' and ')}\n`);
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
      await db.close();
      await sink.close();
      await database.drop();
    }
  });
});

