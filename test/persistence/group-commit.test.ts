import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPersister } from '../../src/persistence/index.js';
import { GroupCommit } from '../../src/persistence/sqlite/group-commit.js';
import type { SqlitePersister } from '../../src/persistence/sqlite/persister.js';
import { makeIdentity, makeSession, silentLogger, tokenHash } from './fixtures.js';

async function fileBackend(): Promise<{ p: SqlitePersister; file: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'porta-group-')), 'g.db');
  // A cap and an interval that keep the checkpoint worker out of the WAL the tests count frames in.
  const p = (await openPersister(`sqlite://${file}`, { logger: silentLogger, sqlite: { checkpointIntervalMs: 600_000, walMaxPages: 1_000_000 } })) as SqlitePersister;
  await p.migrate();
  return { p, file };
}

/** Runs `fn` on a fresh file database and closes it whatever happens. */
async function onFileBackend(fn: (p: SqlitePersister) => Promise<void>): Promise<void> {
  const { p } = await fileBackend();
  try {
    await fn(p);
  } finally {
    await p.close();
  }
}

/** Frames in the WAL since it was last emptied: one per page each commit wrote. */
const walFrames = (p: SqlitePersister): number => (p.db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]!.log;
const emptyWal = (p: SqlitePersister): void => void p.db.pragma('wal_checkpoint(TRUNCATE)');

describe('persistence: SQLite group commit', () => {
  test('revokes issued in one turn share one commit: fewer WAL frames than the same revokes one by one', async () => {
    await onFileBackend(async (p) => {
      const who = makeIdentity();
      await p.identities.createIdentity(who);
      const seed = async () => {
        const xs = Array.from({ length: 4 }, () => ({ s: makeSession(who.id), h: tokenHash() }));
        for (const x of xs) await p.sessions.createSession(x.s, x.h);
        return xs;
      };
      const one = await seed();
      const together = await seed();
      emptyWal(p);
      for (const x of one) assert.equal(await p.sessions.revokeSessionByTokenHash(x.h), x.s.id);
      const alone = walFrames(p);
      emptyWal(p);
      const ids = await Promise.all(together.map((x) => p.sessions.revokeSessionByTokenHash(x.h)));
      const grouped = walFrames(p);
      assert.deepEqual(ids, together.map((x) => x.s.id));
      // Four commits write each page they touch four times over; one commit writes each page once.
      assert.ok(alone >= 4, `one by one: ${alone} frames`);
      assert.ok(grouped < alone, `together: ${grouped} frames, one by one: ${alone}`);
      for (const x of [...one, ...together]) assert.equal((await p.sessions.getSession(x.s.id))!.active, false);
    });
  });

  test('a write that fails in a group fails alone: the others commit with their own results', async () => {
    await onFileBackend(async (p) => {
      p.db.exec('CREATE TABLE scratch (k INTEGER PRIMARY KEY, v TEXT NOT NULL)');
      p.db.prepare('INSERT INTO scratch (k, v) VALUES (2, ?)').run('taken');
      const group = new GroupCommit(p.db, p.gate);
      const insert = (k: number) => () => p.db.prepare('INSERT INTO scratch (k, v) VALUES (?, ?)').run(k, 'new').changes;
      const results = await Promise.allSettled([
        group.run(insert(1)),
        group.run(insert(2)),
        group.run(() => {
          throw new Error('not a statement');
        }),
        group.run(insert(3)),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
      );
      assert.equal((results[0] as PromiseFulfilledResult<number>).value, 1);
      assert.match(String((results[1] as PromiseRejectedResult).reason), /UNIQUE constraint failed/);
      assert.match(String((results[2] as PromiseRejectedResult).reason), /not a statement/);
      // The group's first attempt was rolled back whole, so nothing is written twice and nothing is lost.
      assert.deepEqual(p.db.prepare('SELECT k, v FROM scratch ORDER BY k').all(), [
        { k: 1, v: 'new' },
        { k: 2, v: 'taken' },
        { k: 3, v: 'new' },
      ]);
      assert.equal(p.db.inTransaction, false);
    });
  });

  test('a group waits while the checkpoint worker holds the write gate, and commits once it opens', async () => {
    await onFileBackend(async (p) => {
      p.db.exec('CREATE TABLE scratch (k INTEGER PRIMARY KEY)');
      const group = new GroupCommit(p.db, p.gate);
      Atomics.store(p.gate.state, 0, 1);
      let done = false;
      const pending = Promise.all([1, 2].map((k) => group.run(() => p.db.prepare('INSERT INTO scratch (k) VALUES (?)').run(k).changes))).then((r) => ((done = true), r));
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(done, false, 'the group waits for the gate');
      assert.equal(p.db.prepare('SELECT count(*) FROM scratch').pluck().get(), 0);
      p.gate.open();
      assert.deepEqual(await pending, [1, 1]);
      assert.equal(p.db.prepare('SELECT count(*) FROM scratch').pluck().get(), 2);
    });
  });

  test('a group whose wait for the write gate gives up goes ahead, as a single write does', async () => {
    await onFileBackend(async (p) => {
      p.db.exec('CREATE TABLE scratch (k INTEGER PRIMARY KEY)');
      const group = new GroupCommit(p.db, p.gate);
      Atomics.store(p.gate.state, 0, 1);
      try {
        const pending = Promise.all([1, 2].map((k) => group.run(() => p.db.prepare('INSERT INTO scratch (k) VALUES (?)').run(k).changes)));
        // The gate's wait gives up after 2 s; a group that waited again instead would never settle.
        let timer: NodeJS.Timeout | undefined;
        const stuck = new Promise<'stuck'>((r) => (timer = setTimeout(() => r('stuck'), 6000)));
        const result = await Promise.race([pending, stuck]);
        clearTimeout(timer);
        assert.deepEqual(result, [1, 1]);
        assert.equal(p.gate.closed, true, 'it went ahead with the gate still closed');
        assert.equal(p.db.prepare('SELECT count(*) FROM scratch').pluck().get(), 2);
      } finally {
        p.gate.open();
      }
    });
  });

  test('close() commits the revokes still queued before the connection goes', async () => {
    const { p, file } = await fileBackend();
    const who = makeIdentity();
    await p.identities.createIdentity(who);
    const s = makeSession(who.id);
    const h = tokenHash();
    await p.sessions.createSession(s, h);
    const pending = p.sessions.revokeSessionByTokenHash(h);
    await p.close();
    assert.equal(await pending, s.id);
    const again = (await openPersister(`sqlite://${file}`, { logger: silentLogger })) as SqlitePersister;
    try {
      assert.equal((await again.sessions.getSession(s.id))!.active, false);
    } finally {
      await again.close();
    }
  });
});
