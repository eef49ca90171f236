import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { namedStatement } from '../../src/persistence/postgres/db.js';
import { PG_URL } from '../helpers/pg.js';

describe('postgres: named statements', { skip: !PG_URL && process.env.CI !== 'true' ? 'PORTA_TEST_PG_URL is not set' : false }, () => {
  test('a call carries only its values, and the connection prepares the statement once under its name', async () => {
    const stmt = namedStatement('porta_test_named', 'SELECT $1::int + 1 AS n');
    const call = stmt([41]);
    // What pg copies per query: the values alone; the name and text come from the prototype.
    assert.deepEqual(Object.keys(call), ['values']);
    assert.equal(call.name, 'porta_test_named');
    assert.equal(call.text, 'SELECT $1::int + 1 AS n');

    // One connection, so the catalogue view below shows that connection's prepared statements.
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    try {
      assert.equal((await pool.query<{ n: number }>(call)).rows[0].n, 42);
      // Run again: a second Parse under the same name would fail ("prepared statement already exists").
      assert.equal((await pool.query<{ n: number }>(stmt([1]))).rows[0].n, 2);
      const prepared = await pool.query<{ name: string; statement: string }>(
        "SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'porta_test_%'",
      );
      assert.deepEqual(prepared.rows, [{ name: 'porta_test_named', statement: 'SELECT $1::int + 1 AS n' }]);
      // Calls do not share values.
      assert.deepEqual(stmt([1]).values, [1]);
      assert.deepEqual(call.values, [41]);
    } finally {
      await pool.end();
    }
  });
});
