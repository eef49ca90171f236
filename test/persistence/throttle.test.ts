import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { forEachBackend } from '../helpers/harness.js';
import { createPgDatabase } from '../helpers/pg.js';
import { openPersister } from '../../src/persistence/index.js';
import { runCleanupSql } from '../../src/cmd/cleanup.js';
import { silentLogger } from './fixtures.js';

const T = Date.parse('2026-12-06T12:00:00Z');

async function fresh(backend: 'sqlite' | 'postgres'): Promise<{ dsn: string; drop: () => Promise<void> }> {
  if (backend === 'postgres') return createPgDatabase();
  return { dsn: `sqlite://${join(mkdtempSync(join(tmpdir(), 'porta-thr-')), 'db.sqlite')}?_fk=true`, drop: async () => {} };
}

forEachBackend('throttle counters', (backend) => {
  test('concurrent hits from two connections pools each see a distinct count; a window restarts after it ends', async () => {
    const { dsn, drop } = await fresh(backend);
    const a = await openPersister(dsn, { logger: silentLogger });
    await a.migrate();
    const b = await openPersister(dsn, { logger: silentLogger });
    try {
      const hit = (p: typeof a, now = T) => p.throttles.hit([{ key: 'k', windowMs: 1000, sliding: false }, { key: 'shared', windowMs: 1000, sliding: true }], now);
      const counts = (await Promise.all(Array.from({ length: 40 }, (_, i) => hit(i % 2 ? a : b)))).map((r) => r[0].count);
      assert.deepEqual(counts.sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i + 1));
      const [fixed, sliding] = await hit(a, T + 999);
      assert.deepEqual([fixed.count, fixed.windowEnd, sliding.windowEnd], [41, T + 1000, T + 1999]);
      assert.equal((await hit(a, T + 1000))[0].count, 1);
    } finally {
      await b.close();
      await a.close();
      await drop();
    }
  });

  test('`porta cleanup sql` deletes counters whose window ended and keeps live ones', async () => {
    const { dsn, drop } = await fresh(backend);
    try {
      const p = await openPersister(dsn, { logger: silentLogger });
      await p.migrate();
      const now = Date.now();
      for (let i = 0; i < 5; i++) await p.throttles.hit([{ key: `old-${i}`, windowMs: 1000, sliding: false }], now - 3600_000);
      await p.throttles.hit([{ key: 'live', windowMs: 3600_000, sliding: false }], now);
      await p.close();

      const stdout = new PassThrough();
      let text = '';
      stdout.on('data', (d) => (text += d));
      assert.equal(await runCleanupSql({ dsn, batchSize: 2, pauseMs: 1 }, { stdout }), 0);
      assert.match(text, /Deleted 5 expired throttle counter\(s\)/);

      const q = await openPersister(dsn, { logger: silentLogger });
      try {
        assert.equal((await q.throttles.hit([{ key: 'live', windowMs: 3600_000, sliding: false }], Date.now()))[0].count, 2);
        assert.equal(await q.throttles.deleteExpiredThrottles(new Date(), 100), 0);
      } finally {
        await q.close();
      }
    } finally {
      await drop();
    }
  });
});
