import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { forEachBackend } from '../helpers/harness.js';
import { createPgDatabase, PG_URL } from '../helpers/pg.js';
import { openPersister } from '../../src/persistence/index.js';
import { parseDsn } from '../../src/persistence/dsn.js';
import { PAGE_CACHE_KIB, SqlitePersister } from '../../src/persistence/sqlite/persister.js';
import { startCheckpointer } from '../../src/persistence/sqlite/checkpoint.js';
import Database from 'better-sqlite3';
import { makeIdentity, makeSession, openBackend, silentLogger, tokenHash } from './fixtures.js';

describe('persistence: DSNs', () => {
  test('Kratos-style DSNs parse; unknown query parameters are ignored', () => {
    assert.deepEqual(parseDsn('memory'), { dialect: 'sqlite', memory: true });
    assert.deepEqual(parseDsn('sqlite://file::memory:?_fk=true'), { dialect: 'sqlite', memory: true });
    assert.deepEqual(parseDsn('sqlite:///var/lib/porta/db.sqlite?_fk=true'), { dialect: 'sqlite', memory: false, path: '/var/lib/porta/db.sqlite' });
    assert.deepEqual(parseDsn('sqlite://./rel.db?_fk=true&mode=rwc'), { dialect: 'sqlite', memory: false, path: join(process.cwd(), 'rel.db') });
    assert.equal(parseDsn('postgres://u:p@h:5432/db?sslmode=disable&max_conns=20').dialect, 'postgres');
    assert.equal(parseDsn('postgresql://h/db').dialect, 'postgres');
    assert.throws(() => parseDsn('mysql://x'), /unsupported DSN/);
  });

  test('a sqlite:// file DSN creates parent directories and uses WAL without autocheckpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'porta-dsn-'));
    const file = join(dir, 'nested', 'deeper', 'porta.db');
    const p = (await openPersister(`sqlite://${file}?_fk=true&mode=rwc&whatever=1`, { logger: silentLogger })) as SqlitePersister;
    try {
      assert.ok(existsSync(file));
      assert.equal(p.db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(p.db.pragma('synchronous', { simple: true }), 1);
      assert.equal(p.db.pragma('foreign_keys', { simple: true }), 1);
      assert.equal(p.db.pragma('wal_autocheckpoint', { simple: true }), 0);
      // The page cache is bounded below the driver's own default (better-sqlite3 builds SQLite with 16 MiB):
      // part of the RSS budget. Negative values are KiB.
      assert.equal(p.db.pragma('cache_size', { simple: true }), -PAGE_CACHE_KIB);
      const plain = new Database(':memory:');
      try {
        assert.ok(PAGE_CACHE_KIB < -(plain.pragma('cache_size', { simple: true }) as number));
      } finally {
        plain.close();
      }
      assert.ok((p.db.pragma('busy_timeout', { simple: true }) as number) > 0);
    } finally {
      await p.close();
    }
  });
});

forEachBackend('persistence: migrations', (backend) => {
  test('status lists pending then applied; migrate is idempotent; ping answers', async () => {
    let dsn = 'memory';
    let drop = async () => {};
    if (backend === 'postgres') ({ dsn, drop } = await createPgDatabase());
    const p = await openPersister(dsn, { logger: silentLogger });
    try {
      await p.ping();
      const before = await p.migrationStatus();
      assert.deepEqual(before.applied, []);
      assert.ok(before.pending.length >= 1);
      const applied = await p.migrate();
      assert.deepEqual(applied, before.pending);
      assert.deepEqual(await p.migrationStatus(), { applied: before.pending, pending: [] });
      assert.deepEqual(await p.migrate(), []);
    } finally {
      await p.close();
      await drop();
    }
  });

  test('close makes ping reject', async () => {
    const o = await openBackend(backend);
    await o.close();
    await assert.rejects(o.persister.ping());
  });
});

describe('persistence: PostgreSQL availability', { skip: !PG_URL && process.env.CI !== 'true' ? 'PORTA_TEST_PG_URL is not set' : false }, () => {
  test('two concurrent migrate() runs on one database apply each step once', async () => {
    const db = await createPgDatabase();
    const a = await openPersister(db.dsn, { logger: silentLogger });
    const b = await openPersister(db.dsn, { logger: silentLogger });
    try {
      const [ra, rb] = await Promise.all([a.migrate(), b.migrate()]);
      assert.equal(ra.length + rb.length, (await a.migrationStatus()).applied.length);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });

  test('ping rejects promptly when the server is unreachable (refused and black-holed)', async () => {
    for (const dsn of ['postgres://porta:secret@127.0.0.1:1/porta', 'postgres://porta:secret@10.255.255.1:5432/porta']) {
      const p = await openPersister(dsn, { logger: silentLogger });
      const t0 = Date.now();
      await assert.rejects(p.ping());
      assert.ok(Date.now() - t0 < 3500, `ping took ${Date.now() - t0} ms`);
      await p.close();
    }
  });
});

/** A debug logger that keeps its lines, and the checkpoint worker's gated tails among them. */
function debugLog() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }));
  const tails = () => lines.filter((l) => l.msg === 'sqlite WAL tail checkpointed behind the write gate');
  return { lines, logger, tails };
}

describe('persistence: SQLite WAL checkpoints', () => {
  test('the WAL stays bounded under steady writes and close() removes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'porta-wal-'));
    const file = join(dir, 'wal.db');
    const walMaxPages = 200;
    const p = (await openPersister(`sqlite://${file}`, { logger: silentLogger, sqlite: { checkpointIntervalMs: 20, walMaxPages } })) as SqlitePersister;
    await p.migrate();
    const pageSize = p.db.pragma('page_size', { simple: true }) as number;
    const identity = makeIdentity();
    await p.identities.createIdentity(identity);
    let maxWal = 0;
    for (let round = 0; round < 40; round++) {
      for (let k = 0; k < 100; k++) await p.sessions.createSession(makeSession(identity.id), tokenHash());
      await new Promise((r) => setTimeout(r, 5));
      maxWal = Math.max(maxWal, statSync(`${file}-wal`).size);
    }
    // 4,000 sessions write far more than 200 pages: without checkpoints the WAL would hold them all.
    await p.checkpointNow();
    await p.checkpointNow();
    // Once a pass has copied every frame back, the next commit rewinds the WAL and trims the file to
    // journal_size_limit (the cap); the checkpoint itself never truncates under the writer's feet.
    await p.sessions.createSession(makeSession(identity.id), tokenHash());
    const after = statSync(`${file}-wal`).size;
    assert.ok(after <= walMaxPages * pageSize, `WAL is ${after} bytes after a checkpoint pass and a commit`);
    // Without checkpoints the WAL would hold every frame of these 4,000 commits (about 100 MB); the cap
    // plus what the writer appends between two timer ticks is what may accumulate.
    assert.ok(maxWal < 32 * 1024 * 1024, `WAL peaked at ${maxWal} bytes`);
    assert.equal((await p.sessions.listSessions({ limit: 5000 })).sessions.length, 4001);
    await p.close();
    assert.equal(existsSync(`${file}-wal`), false, 'the last connection to close checkpoints and removes the WAL');
  });

  test('the worker flushes the database file before it closes the gate, and close() releases its descriptor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'porta-flush-'));
    const file = join(dir, 'flush.db');
    const { lines, logger, tails } = debugLog();
    const p = (await openPersister(`sqlite://${file}`, { logger, sqlite: { checkpointIntervalMs: 20, walMaxPages: 200 } })) as SqlitePersister;
    await p.migrate();
    const identity = makeIdentity();
    await p.identities.createIdentity(identity);
    // Steady writes with pauses for the worker's timer, until a few gated tails have run.
    for (let round = 0; round < 400 && tails().length < 3; round++) {
      for (let k = 0; k < 50; k++) await p.sessions.createSession(makeSession(identity.id), tokenHash());
      await new Promise((r) => setTimeout(r, 5));
    }
    const descriptors = () => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false; // the directory's own descriptor is gone by the time it is read
      }
    });
    assert.ok(descriptors().length >= 2, 'the connection and the flush descriptor are open');
    await p.close();
    assert.deepEqual(lines.filter((l) => l.level === 40), [], 'no checkpoint failed');
    assert.ok(tails().length >= 3, `gated tails ran (${tails().length})`);
    for (const t of tails()) assert.ok((t.bulk as { flushes: number }).flushes >= 1, `a tail ran without a flush first: ${JSON.stringify(t)}`);
    assert.deepEqual(descriptors(), [], 'no descriptor of the database file outlives close()');
  });

  test('a flush that fails is reported once, and the gated tail still lets the WAL start over', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'porta-noflush-')), 'x.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)');
    const { lines, logger, tails } = debugLog();
    // No process has this many descriptors open: every flush fails with EBADF.
    const ckpt = startCheckpointer(file, { intervalMs: 20, walMaxPages: 200, logger, syncFd: 2 ** 30 });
    const insert = db.prepare('INSERT INTO t (v) VALUES (randomblob(2000))');
    let maxWal = 0;
    try {
      for (let round = 0; round < 400 && tails().length < 3; round++) {
        for (let k = 0; k < 20; k++) insert.run();
        maxWal = Math.max(maxWal, statSync(`${file}-wal`).size);
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      await ckpt.stop();
      db.close();
    }
    const warnings = lines.filter((l) => l.level === 40).map((l) => String(l.err));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /flushing the database file: .*EBADF/);
    assert.ok(tails().length >= 3, `gated tails ran (${tails().length})`);
    // Without tails the WAL would hold every frame (about 8,000 rows of 2 KB); with them it stays near its cap.
    assert.ok(maxWal < 8 * 1024 * 1024, `WAL peaked at ${maxWal} bytes`);
  });

  test('while the checkpoint worker holds the write gate, writes wait asynchronously and reads go on', async () => {
    const p = (await openPersister('memory', { logger: silentLogger })) as SqlitePersister;
    try {
      await p.migrate();
      const who = makeIdentity();
      await p.identities.createIdentity(who);
      const s = makeSession(who.id);
      const h = tokenHash();
      await p.sessions.createSession(s, h);
      Atomics.store(p.gate.state, 0, 1);
      let revoked = false;
      const pending = p.sessions.revokeSessionByTokenHash(h).then(() => (revoked = true));
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(revoked, false, 'the write waits for the gate');
      assert.equal((await p.sessions.getSessionByTokenHash(h))!.session.active, true, 'reads are not gated');
      p.gate.open();
      await pending;
      assert.equal((await p.sessions.getSessionByTokenHash(h))!.session.active, false);
    } finally {
      await p.close();
    }
  });

  test('an open file persister does not keep the process alive, even after checkpoints ran', () => {
    const dir = mkdtempSync(join(tmpdir(), 'porta-alive-'));
    const script = join(dir, 'alive.mts');
    const index = new URL('../../src/persistence/index.ts', import.meta.url).href;
    writeFileSync(
      script,
      `import { openPersister } from ${JSON.stringify(index)};
      const noop = () => {};
      const logger = { info: noop, warn: noop, error: noop, debug: noop };
      const p = await openPersister(${JSON.stringify(`sqlite://${join(dir, 'x.db')}`)}, { logger, sqlite: { checkpointIntervalMs: 20, walMaxPages: 100 } });
      await p.migrate();
      await new Promise((r) => setTimeout(r, 200));
      console.log('opened');
      `,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd(), timeout: 10_000, encoding: 'utf8' });
    assert.equal(r.signal, null, 'the process had to be killed: something kept it alive');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /opened/);
  });
});
