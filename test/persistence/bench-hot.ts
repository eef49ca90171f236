/*
 * Micro-benchmark of the hot statements (not part of `npm test`):
 *   node --import tsx test/persistence/bench-hot.ts [sessions=100000]
 * With PORTA_TEST_PG_URL set it also measures PostgreSQL (sequential round trips, pool of 10) and
 * reports whether the revoke UPDATEs were HOT.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPersister } from '../../src/persistence/index.js';
import type { Persister } from '../../src/persistence/types.js';
import type { SqlitePersister } from '../../src/persistence/sqlite/persister.js';
import type { PostgresPersister } from '../../src/persistence/postgres/persister.js';
import { createPgDatabase } from '../helpers/pg.js';
import { makeIdentity, makeSession, silentLogger } from './fixtures.js';

const N = Number(process.argv[2] ?? 100_000);
const OPS = 10_000;
const digest = (k: number) => createHash('sha256').update(`token-${k}`).digest();

async function time(label: string, ops: number, fn: (k: number) => Promise<unknown>): Promise<void> {
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < ops; k++) await fn(k);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / ops;
  console.log(`  ${label.padEnd(40)} ${us.toFixed(1)} µs/op`);
}

async function measure(p: Persister, seeded: string[]): Promise<void> {
  const pick = (k: number) => (k * 7919) % N;
  await time('getSessionByTokenHash (hit)', OPS, (k) => p.sessions.getSessionByTokenHash(digest(pick(k))));
  await time('getSessionByTokenHash (miss)', OPS, (k) => p.sessions.getSessionByTokenHash(digest(N + k)));
  await time('revokeSessionByTokenHash (active)', OPS, (k) => p.sessions.revokeSessionByTokenHash(digest(k)));
  await time('revokeSessionByTokenHash (already revoked)', OPS, (k) => p.sessions.revokeSessionByTokenHash(digest(k)));
  await time('revokeSessionById (active)', OPS, (k) => p.sessions.revokeSessionById(seeded[OPS + k]));
  const who = seeded.length ? (await p.sessions.getSession(seeded[0]))!.identityId : '';
  await time('createSession', OPS / 10, () => p.sessions.createSession(makeSession(who), createHash('sha256').update(randomUUID()).digest()));
}

async function sqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'porta-bench-'));
  const p = (await openPersister(`sqlite://${join(dir, 'bench.db')}`, { logger: silentLogger, sqlite: { checkpointIntervalMs: 1000, walMaxPages: 4000 } })) as SqlitePersister;
  await p.migrate();
  const identities = Array.from({ length: 1000 }, () => makeIdentity());
  for (const i of identities) await p.identities.createIdentity(i);
  const ids: string[] = [];
  const ins = p.db.prepare(
    'INSERT INTO sessions (id, identity_id, token_hash, active, expires_at, authenticated_at, issued_at, aal, authentication_methods, devices, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const t0 = Date.now();
  p.db.transaction(() => {
    for (let k = 0; k < N; k++) {
      const s = makeSession(identities[k % identities.length].id);
      ids.push(s.id);
      ins.run(s.id, s.identityId, digest(k), s.expiresAt.getTime(), s.authenticatedAt.getTime(), s.issuedAt.getTime(), s.aal, '[{"method":"password","aal":"aal1","completedAt":"2026-11-24T00:00:00.000Z"}]', '[]', s.createdAt.getTime() - k, s.updatedAt.getTime());
    }
  })();
  await p.checkpointNow();
  console.log(`SQLite (WAL, synchronous=NORMAL), ${N} sessions seeded in ${Date.now() - t0} ms`);
  for (const sql of ['SELECT 1 FROM sessions s JOIN identities i ON i.id = s.identity_id WHERE s.token_hash = ?', 'UPDATE sessions SET active = 0 WHERE token_hash = ?']) {
    console.log(`  plan: ${(p.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(Buffer.alloc(32)) as Array<{ detail: string }>).map((r) => r.detail).join(' | ')}`);
  }
  await measure(p, ids);
  await p.close();
}

async function postgres(): Promise<void> {
  const db = await createPgDatabase();
  const p = (await openPersister(db.dsn, { logger: silentLogger })) as PostgresPersister;
  try {
    await p.migrate();
    const who = makeIdentity();
    await p.identities.createIdentity(who);
    const t0 = Date.now();
    const seeded = await p.pool.query<{ id: string }>(
      `INSERT INTO sessions (id, identity_id, token_hash, active, expires_at, authenticated_at, issued_at, last_active_at, aal, created_at, updated_at)
       SELECT gen_random_uuid(), $1, sha256(convert_to('token-' || k, 'UTF8')), true, now() + interval '1 day', now(), now(), now(), 'aal1',
              now() - k * interval '1 millisecond', now()
       FROM generate_series(0, $2 - 1) AS k ORDER BY k RETURNING id`,
      [who.id, N],
    );
    await p.pool.query('VACUUM ANALYZE sessions');
    console.log(`PostgreSQL (pool of 10, sequential round trips), ${N} sessions seeded in ${Date.now() - t0} ms`);
    await measure(p, seeded.rows.map((r) => r.id));
    const hot = await p.pool.query<{ n_tup_upd: string; n_tup_hot_upd: string }>("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'sessions'");
    console.log(`  updates on sessions: ${hot.rows[0].n_tup_upd}, of which HOT: ${hot.rows[0].n_tup_hot_upd} (stats may lag)`);
  } finally {
    await p.close();
    await db.drop();
  }
}

await sqlite();
if (process.env.PORTA_TEST_PG_URL) await postgres();
