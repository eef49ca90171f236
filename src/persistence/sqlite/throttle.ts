import type { ThrottleCounter, ThrottleHit, ThrottleStore } from '../../throttle/store.js';
import { gateWrites, type WriteGate, type WriteKinds } from './gate.js';
import { statements, type DB } from './db.js';

interface Row {
  key: string;
  hits: number;
  window_end: number;
  stamped_at: number | null;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/*
 * One UPSERT per call: SQLite runs it under its single write lock, so concurrent hits (in this process
 * or another one on the same file) are serialised and each sees a distinct count. SET expressions read
 * the row as it was before the statement.
 */
function hitSql(n: number): string {
  const expired = 'throttle_counters.window_end <= ?';
  return (
    `INSERT INTO throttle_counters (key, hits, window_end, stamped_at, sliding) VALUES ${Array.from({ length: n }, () => '(?, 1, ?, NULL, ?)').join(', ')} ` +
    'ON CONFLICT (key) DO UPDATE SET ' +
    `hits = CASE WHEN ${expired} THEN 1 ELSE throttle_counters.hits + 1 END, ` +
    `stamped_at = CASE WHEN ${expired} THEN NULL ELSE throttle_counters.stamped_at END, ` +
    `window_end = CASE WHEN ${expired} OR excluded.sliding = 1 THEN excluded.window_end ELSE throttle_counters.window_end END ` +
    'RETURNING key, hits, window_end, stamped_at'
  );
}

const THROTTLE_ACCESS: WriteKinds<ThrottleStore> = {
  hit: 'write',
  release: 'write',
  stamp: 'write',
  deleteExpiredThrottles: 'write',
};

export class SqliteThrottleStore implements ThrottleStore {
  private readonly q;

  constructor(
    db: DB,
    gate: WriteGate,
  ) {
    this.q = statements(db);
    gateWrites<ThrottleStore>(this, gate, THROTTLE_ACCESS);
  }

  async hit(hits: ThrottleHit[], now: number): Promise<ThrottleCounter[]> {
    if (hits.length === 0) return [];
    const args: unknown[] = [];
    for (const h of hits) args.push(h.key, now + h.windowMs, h.sliding ? 1 : 0);
    args.push(now, now, now);
    const rows = this.q(hitSql(hits.length)).all(...args) as Row[];
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return hits.map((h) => {
      const r = byKey.get(h.key) as Row;
      return { key: r.key, count: r.hits, windowEnd: r.window_end, stampedAt: r.stamped_at };
    });
  }

  async release(keys: string[], reset: string[], now: number): Promise<void> {
    const all = [...new Set([...keys, ...reset])];
    if (all.length === 0) return;
    const resetIn = reset.length ? `key IN (${marks(reset.length)})` : '0';
    this.q(
      `UPDATE throttle_counters SET hits = CASE WHEN ${resetIn} THEN 0 ELSE MAX(hits - 1, 0) END, ` +
        `stamped_at = CASE WHEN ${resetIn} THEN NULL ELSE stamped_at END WHERE key IN (${marks(all.length)}) AND window_end > ?`,
    ).run(...reset, ...reset, ...all, now);
  }

  async stamp(keys: string[], now: number): Promise<void> {
    if (keys.length === 0) return;
    this.q(`UPDATE throttle_counters SET stamped_at = ? WHERE key IN (${marks(keys.length)}) AND window_end > ?`).run(now, ...keys, now);
  }

  async deleteExpiredThrottles(before: Date, limit: number): Promise<number> {
    return this.q('DELETE FROM throttle_counters WHERE key IN (SELECT key FROM throttle_counters WHERE window_end < ? LIMIT ?)').run(before.getTime(), limit).changes;
  }
}
