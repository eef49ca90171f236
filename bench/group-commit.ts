/**
 * Micro-benchmark behind the SQLite group commit (src/persistence/sqlite/group-commit.ts): Porta's
 * revoke-by-token statement on a fresh copy of a vs-a dataset, K revokes to a transaction, microseconds
 * per revoke. K=1 is one autocommit transaction per revoke, as before the group commit. The connection
 * is set up as Porta's (WAL, synchronous=NORMAL, foreign keys, no automatic checkpoint) and no
 * checkpoint runs, so the figures are the statement and its commit alone.
 *
 *   node --import tsx bench/vs-a.ts --sessions 100k --db sqlite --seed-only   # the dataset, once
 *   node --import tsx bench/group-commit.ts [--sessions 100k] [--batches 1,4,10,25] [--revokes 30000]
 */
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { hashToken } from '../src/x/tokens.js';
import { REVOKE_BY_TOKEN as REVOKE } from '../src/persistence/sqlite/sessions.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100k' },
    batches: { type: 'string', default: '1,4,10,25' },
    revokes: { type: 'string', default: '30000' },
  },
});
const n = Number(values.sessions.replace(/k$/i, '000').replace(/M$/i, '000000'));
const base = join(fileURLToPath(new URL('./.data/vs/', import.meta.url)), `porta-${n}`);
const hashes = readFileSync(`${base}.tokens`, 'utf8').split('\n').filter(Boolean).slice(0, Number(values.revokes)).map(hashToken);

for (const k of values.batches.split(',').map(Number)) {
  // Every batch size starts from the same pristine copy, so each revoke ends an active session.
  const file = `${base}.group-commit.sqlite`;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  copyFileSync(`${base}.pristine.sqlite`, file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('wal_autocheckpoint = 0');
  const revoke = db.prepare(REVOKE);
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const started = process.hrtime.bigint();
  for (let i = 0; i < hashes.length; i += k) {
    if (k > 1) begin.run();
    for (let j = i; j < Math.min(i + k, hashes.length); j++) revoke.get(hashes[j]);
    if (k > 1) commit.run();
  }
  const us = Number(process.hrtime.bigint() - started) / 1e3 / hashes.length;
  db.close();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  process.stdout.write(`${values.sessions} sessions, ${k} revoke(s) a transaction: ${us.toFixed(2)} us a revoke\n`);
}
