/*
 * Tail latency of session writes under the WAL policy (not part of `npm test`):
 *   node --import tsx test/persistence/bench-wal.ts [sessions=100000] [seconds=5]
 * Compares Porta's policy (wal_autocheckpoint=0 + worker checkpoints, WAL capped) with SQLite's default
 * inline autocheckpoint on the same database, timing every create+revoke pair on the event loop.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPersister } from '../../src/persistence/index.js';
import type { SqlitePersister } from '../../src/persistence/sqlite/persister.js';
import { makeIdentity, makeSession, silentLogger } from './fixtures.js';

const N = Number(process.argv[2] ?? 100_000);
const SECONDS = Number(process.argv[3] ?? 5);

async function run(label: string, inlineCheckpoint: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'porta-walbench-'));
  const file = join(dir, 'w.db');
  const p = (await openPersister(`sqlite://${file}`, { logger: silentLogger, sqlite: { checkpointIntervalMs: 1000, walMaxPages: 4000 } })) as SqlitePersister;
  await p.migrate();
  const who = makeIdentity();
  await p.identities.createIdentity(who);
  const ins = p.db.prepare('INSERT INTO sessions (id, identity_id, token_hash, active, expires_at, authenticated_at, issued_at, aal, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)');
  p.db.transaction(() => {
    for (let k = 0; k < N; k++) ins.run(randomUUID(), who.id, createHash('sha256').update(`s${k}`).digest(), 9e12, 0, 0, 'aal1', k, k);
  })();
  await p.checkpointNow();
  if (inlineCheckpoint) p.db.pragma('wal_autocheckpoint = 1000');
  const lat: number[] = [];
  // Pairs that met a closed write gate waited asynchronously for a checkpoint (the event loop stayed
  // free); the others' latency is time the event loop was blocked.
  let gated = 0;
  let maxBlocked = 0;
  let maxWal = 0;
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) {
    const h = createHash('sha256').update(randomUUID()).digest();
    const closed = p.gate.closed;
    const t0 = process.hrtime.bigint();
    await p.sessions.createSession(makeSession(who.id), h);
    const mid = p.gate.closed;
    await p.sessions.revokeSessionByTokenHash(h);
    const us = Number(process.hrtime.bigint() - t0) / 1000;
    lat.push(us);
    if (closed || mid || p.gate.closed) gated++;
    else maxBlocked = Math.max(maxBlocked, us);
    if (lat.length % 500 === 0) {
      maxWal = Math.max(maxWal, statSync(`${file}-wal`).size);
      await new Promise((r) => setImmediate(r));
    }
  }
  lat.sort((a, b) => a - b);
  const q = (x: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * x))].toFixed(0);
  console.log(`${label.padEnd(44)} pairs=${lat.length} p50=${q(0.5)}µs p99=${q(0.99)}µs p99.9=${q(0.999)}µs max=${q(1)}µs WAL max=${(maxWal / 1048576).toFixed(1)}MiB; gated pairs=${gated}, max ungated=${maxBlocked.toFixed(0)}µs`);
  await p.close();
}

await run('porta: worker checkpoints, WAL cap 4000 pages', false);
await run('sqlite default: inline autocheckpoint', true);
