import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { PG_SKIP, prepareDatabase, spawnPorta, tempDir, type Backend } from '../helpers/spawn.js';
import { acknowledged, logout, pool, seedSessions, verifySessions, type Seeded } from './faults-load.js';

// Issue 8, faults: `kill -9` of a server in the middle of a logout storm loses no acknowledged logout,
// revokes nothing it was not asked to, and leaves a database that opens cleanly.

const WIDTH = 24; // logouts in flight at once
const KILL_AFTER_ACKS = 60; // kill once this many logouts were acknowledged...
const KILL_AFTER_MS = 8_000; // ...or after this long, whichever comes first
const BOUND_MS = 15_000;

/** The scenario on one backend; each backend has its own test file, so each stays well inside the file timeout. */
export function killSuite(backend: Backend): void {
  describe(`kill -9 under logout load, then restart on the same database [${backend}]`, { skip: backend === 'postgres' ? PG_SKIP : false }, () => {
    test('acknowledged logouts stay revoked, other sessions still work, the database opens cleanly', async (t) => {
      const dir = tempDir();
      const database = await prepareDatabase(backend, dir);
      const dbFile = database.dsn.replace(/^sqlite:\/\//, '').replace(/\?.*$/, '');
      try {
        // SQLite: no checkpoint during the test, so every acknowledged revocation exists only in the WAL
        // when the process dies, and the restarted server must recover it from there.
        const config = { porta: { sqlite: { checkpoint_interval: '1h' } } };
        const t0 = Date.now();
        const mark = (what: string) => t.diagnostic(`${what}: ${Date.now() - t0} ms`);
        const sessions = await seedSessions(backend, database.dsn, { api: 120, browser: 120, bystander: 60 });
        const targets = sessions.filter((s) => s.kind !== 'bystander');

        mark('seeded');
        const p = await spawnPorta({ database, config });
        mark('spawned');
        const unexpected: string[] = [];
        let acked = 0;
        let killed = false;
        const kill = () => {
          if (killed) return;
          killed = true;
          p.child.kill('SIGKILL');
        };
        const timer = setTimeout(kill, KILL_AFTER_MS);
        const started = Date.now();
        await pool(targets, WIDTH, async (s: Seeded) => {
          if (killed) return; // never sent: stays 'unsent'
          const a = await logout(p.publicURL, s, BOUND_MS);
          if (acknowledged(s, a)) {
            s.outcome = 'acked';
            if (++acked >= KILL_AFTER_ACKS) kill();
          } else {
            s.outcome = 'unknown';
            // Before the kill every answer must be an acknowledgement; after it, only failed connections.
            if (!killed || !a.failure) unexpected.push(`${s.kind} logout: ${a.status} ${a.location ?? ''} ${a.body.slice(0, 200)}`);
          }
        });
        clearTimeout(timer);
        const exit = await p.exited;
        assert.equal(exit.signal, 'SIGKILL', 'the server was killed, it did not exit by itself');
        assert.deepEqual(unexpected, []);
        const counts = { acked, unknown: targets.filter((s) => s.outcome === 'unknown').length, unsent: targets.filter((s) => s.outcome === 'unsent').length };
        t.diagnostic(`${backend}: ${JSON.stringify(counts)} in ${Date.now() - started} ms`);
        assert.ok(acked > 0, 'some logouts were acknowledged before the kill');
        assert.ok(counts.unsent > 0, 'the kill happened while logouts were still to come');

        if (backend === 'sqlite') {
          const wal = `${dbFile}-wal`;
          assert.ok(existsSync(wal) && statSync(wal).size > 0, 'the killed server left a WAL to recover');
        }

        const restarted = await spawnPorta({ database, config });
        mark('restarted');
        try {
          const seen = await verifySessions(restarted.publicURL, sessions);
          t.diagnostic(`after restart: ${JSON.stringify(seen)}`);
          mark('verified');
        } finally {
          await restarted.stop();
        }
        if (backend === 'sqlite') {
          const db = new Database(dbFile, { readonly: true });
          try {
            assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
            assert.deepEqual(db.pragma('foreign_key_check'), []);
          } finally {
            db.close();
          }
        }
      } finally {
        await database.drop();
      }
    });
  });
}

