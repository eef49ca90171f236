import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { parseTimestamptz } from '../../src/persistence/postgres/timestamp.js';
import { poolConfig } from '../../src/persistence/postgres/persister.js';
import { PG_URL } from '../helpers/pg.js';
import { seededBelow } from '../helpers/seeded.js';

// pg's own timestamptz parser (postgres-date): the answers the fast one must give.
const reference = pg.types.getTypeParser(1184, 'text') as (s: string) => Date | number | null;
const asNumber = (v: Date | number | null) => (v instanceof Date ? v.getTime() : v);
const pad = (v: number, w: number) => String(v).padStart(w, '0');

function assertSame(text: string): void {
  const got = parseTimestamptz(text);
  const want = reference(text);
  assert.equal(got instanceof Date, want instanceof Date, text);
  assert.ok(Object.is(asNumber(got), asNumber(want)), `${text}: ${String(asNumber(got))} != ${String(asNumber(want))}`);
}

describe('postgres: timestamptz parsing', () => {
  test('every fraction width, offset form and edge PostgreSQL writes gives the Date pg would', () => {
    for (let f = 0; f < 1000; f++) {
      // PostgreSQL drops trailing zeros of the fraction, and the whole fraction when it is zero.
      const trimmed = pad(f, 3).replace(/0+$/, '');
      assertSame(`2026-12-07 20:36:21${trimmed ? `.${trimmed}` : ''}+00`);
      assertSame(`2026-12-07 20:36:21.${pad(f, 3)}999+00`);
    }
    for (const text of [
      '2026-12-07 20:36:21+05:30',
      '2026-12-07 20:36:21.5-03',
      '1900-01-01 00:00:00+00:19:32',
      '2026-03-29 01:59:59.999999+01',
      '9999-12-31 23:59:59.999999+00',
      '1000-01-01 00:00:00-12',
      // Not the fast shape: pg's parser answers these.
      'infinity',
      '-infinity',
      '0099-01-01 00:00:00+00',
      '2000-01-01 00:00:00+00 BC',
      '12026-01-01 00:00:00+00',
      '2026-12-07 20:36:21.1234567+00',
      '2026-12-07 20:36:21+0530',
      '2026-12-07 20:36:21.+00',
      '2026-12-07T20:36:21+00',
    ]) {
      assertSame(text);
    }
  });

  test('generated timestamps with random fractions and offsets agree with pg', () => {
    const below = seededBelow(1184);
    for (let i = 0; i < 20_000; i++) {
      const frac = below(7) === 0 ? '' : `.${pad(below(1_000_000), 6).slice(0, 1 + below(6))}`;
      const sign = below(2) ? '+' : '-';
      const offset = [`${pad(below(15), 2)}`, `${pad(below(15), 2)}:${pad(below(60), 2)}`, `${pad(below(15), 2)}:${pad(below(60), 2)}:${pad(below(60), 2)}`][below(3)];
      const text = `${1000 + below(9000)}-${pad(1 + below(12), 2)}-${pad(1 + below(28), 2)} ${pad(below(24), 2)}:${pad(below(60), 2)}:${pad(below(60), 2)}${frac}${sign}${offset}`;
      assertSame(text);
    }
  });
});

describe('postgres: timestamptz through the pool', { skip: !PG_URL && process.env.CI !== 'true' ? 'PORTA_TEST_PG_URL is not set' : false }, () => {
  test("Porta's pools read timestamptz columns with it, in any session time zone", async () => {
    const pool = new pg.Pool({ ...poolConfig(PG_URL as string), max: 1 });
    try {
      const client = await pool.connect();
      // The connection's parser for timestamptz text is the fast one; other types keep pg's.
      assert.equal(client.getTypeParser(1184, 'text'), parseTimestamptz);
      assert.equal(client.getTypeParser(1114, 'text'), pg.types.getTypeParser(1114, 'text'));
      client.release();
      for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam']) {
        await pool.query(`SET TIME ZONE '${zone}'`);
        const r = await pool.query<{ a: Date; b: Date; c: Date | number; text: string }>(
          "SELECT t AS a, t + interval '123456 microseconds' AS b, 'infinity'::timestamptz AS c, t::text AS text FROM (SELECT '2026-12-07 20:36:21.5+00'::timestamptz AS t) x",
        );
        const row = r.rows[0];
        assert.equal(row.a.toISOString(), '2026-12-07T20:36:21.500Z', zone);
        assert.equal(row.b.toISOString(), '2026-12-07T20:36:21.623Z', zone);
        assert.equal(row.c, Infinity);
        // The text PostgreSQL sent for this zone is what the parser saw.
        assert.equal(parseTimestamptz(row.text) instanceof Date, true);
        assertSame(row.text);
      }
    } finally {
      await pool.end();
    }
  });
});
