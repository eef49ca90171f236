import type pg from 'pg';
import type { ThrottleCounter, ThrottleHit, ThrottleStore } from '../../throttle/store.js';

interface Row {
  key: string;
  hits: number;
  window_end: Date;
  stamped_at: Date | null;
}

/*
 * One UPSERT per call. INSERT ... ON CONFLICT DO UPDATE takes the row lock and re-reads the latest
 * committed row, so concurrent hits on one key from any number of processes are serialised and each
 * returns a distinct count. Keys are written in sorted order so two statements touching the same keys
 * lock them in the same order and cannot deadlock.
 */
function hitSql(n: number): string {
  const rows = Array.from({ length: n }, (_, i) => `($${3 * i + 2}, 1, $${3 * i + 3}::timestamptz, NULL, $${3 * i + 4}::boolean)`).join(', ');
  const expired = 't.window_end <= $1::timestamptz';
  return (
    `INSERT INTO throttle_counters AS t (key, hits, window_end, stamped_at, sliding) VALUES ${rows} ` +
    'ON CONFLICT (key) DO UPDATE SET ' +
    `hits = CASE WHEN ${expired} THEN 1 ELSE t.hits + 1 END, ` +
    `stamped_at = CASE WHEN ${expired} THEN NULL ELSE t.stamped_at END, ` +
    `window_end = CASE WHEN ${expired} OR excluded.sliding THEN excluded.window_end ELSE t.window_end END ` +
    'RETURNING key, hits, window_end, stamped_at'
  );
}

const ms = (d: Date | null) => (d ? d.getTime() : null);

export class PgThrottleStore implements ThrottleStore {
  constructor(private readonly pool: pg.Pool) {}

  async hit(hits: ThrottleHit[], now: number): Promise<ThrottleCounter[]> {
    if (hits.length === 0) return [];
    const sorted = [...hits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const args: unknown[] = [new Date(now)];
    for (const h of sorted) args.push(h.key, new Date(now + h.windowMs), h.sliding);
    const r = await this.pool.query<Row>(hitSql(sorted.length), args);
    const byKey = new Map(r.rows.map((row) => [row.key, row]));
    return hits.map((h) => {
      const row = byKey.get(h.key) as Row;
      return { key: row.key, count: row.hits, windowEnd: row.window_end.getTime(), stampedAt: ms(row.stamped_at) };
    });
  }

  async release(keys: string[], reset: string[], now: number): Promise<void> {
    const all = [...new Set([...keys, ...reset])].sort();
    if (all.length === 0) return;
    await this.pool.query(
      'UPDATE throttle_counters SET hits = CASE WHEN key = ANY($2::text[]) THEN 0 ELSE GREATEST(hits - 1, 0) END, ' +
        'stamped_at = CASE WHEN key = ANY($2::text[]) THEN NULL ELSE stamped_at END WHERE key = ANY($1::text[]) AND window_end > $3',
      [all, reset, new Date(now)],
    );
  }

  async stamp(keys: string[], now: number): Promise<void> {
    if (keys.length === 0) return;
    await this.pool.query('UPDATE throttle_counters SET stamped_at = $1 WHERE key = ANY($2::text[]) AND window_end > $1', [new Date(now), [...keys].sort()]);
  }

  async deleteExpiredThrottles(before: Date, limit: number): Promise<number> {
    const r = await this.pool.query('DELETE FROM throttle_counters WHERE key IN (SELECT key FROM throttle_counters WHERE window_end < $1 LIMIT $2)', [before, limit]);
    return r.rowCount ?? 0;
  }
}
