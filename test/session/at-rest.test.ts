import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { seedLogin, sessionCookieFor, type SeededSession } from '../helpers/seed.js';
import { whoami } from './util.js';

type Row = Record<string, unknown>;

/** Every row of every table, read straight from the database behind the app (not through Porta). */
async function dumpTables(t: TestApp, dir: string): Promise<Record<string, Row[]>> {
  const out: Record<string, Row[]> = {};
  if (t.backend === 'sqlite') {
    const db = new Database(join(dir, 'porta.db'), { readonly: true, fileMustExist: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>;
      for (const { name } of tables) out[name] = db.prepare(`SELECT * FROM "${name}"`).all() as Row[];
    } finally {
      db.close();
    }
    return out;
  }
  const client = new pg.Client({ connectionString: t.dsn });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    for (const { tablename } of tables.rows) out[tablename] = (await client.query(`SELECT * FROM "${tablename}"`)).rows as Row[];
  } finally {
    await client.end();
  }
  return out;
}

/** Each way a stored value could be turned back into a token string. */
function candidates(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Buffer.isBuffer(value)) return [value.toString('hex'), value.toString('base64'), value.toString('base64url'), value.toString('utf8'), value.toString('latin1')];
  if (value instanceof Date) return [value.toISOString()];
  if (typeof value === 'object') return [JSON.stringify(value)];
  return [String(value)];
}

forEachBackend('tokens at rest', (backend) => {
  let t: TestApp;
  let dir: string;
  const logins: SeededSession[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'porta-at-rest-'));
    t = backend === 'sqlite' ? await startApp({ backend, dsn: `sqlite://${join(dir, 'porta.db')}?_fk=true` }) : await startApp({ backend });
    for (let i = 0; i < 3; i++) logins.push(await seedLogin(t));
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the database holds no usable session token: every stored value is refused by whoami', async () => {
    for (const s of logins) assert.equal((await whoami(t, { 'x-session-token': s.token })).statusCode, 200);
    const tables = await dumpTables(t, dir);
    const sessionTable = Object.keys(tables).find((n) => n === 'sessions');
    assert.ok(sessionTable, 'a sessions table exists');
    assert.ok(tables.sessions.length >= logins.length);
    const tried = new Set<string>();
    for (const row of tables.sessions) {
      for (const value of Object.values(row)) {
        for (const c of candidates(value)) {
          if (c === '' || tried.has(c) || c.length > 500) continue;
          tried.add(c);
          for (const headers of [{ 'x-session-token': c }, { authorization: `Bearer ${c}` }]) {
            const res = await whoami(t, headers);
            assert.equal(res.statusCode, 401, `stored value accepted as a token: ${c.slice(0, 20)}...`);
          }
          // Even re-wrapped in a correctly signed cookie, a stored value is not a token.
          assert.equal((await whoami(t, { cookie: sessionCookieFor(t, c, logins[0].session) })).statusCode, 401);
        }
      }
    }
    assert.ok(tried.size > 10, 'the test tried the stored values');
  });

  test('neither the session token nor the logout token appears anywhere in the database', async () => {
    const dump = JSON.stringify(await dumpTables(t, dir), (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
    for (const s of logins) {
      assert.ok(!dump.includes(s.token), 'session token stored in plain text');
      assert.ok(!dump.includes(s.token.slice(7)), 'session token body stored');
      assert.ok(!dump.includes(t.app.registry.sessions.logoutToken(s.session.id)), 'logout token stored');
      assert.ok(!dump.includes(s.cookieValue), 'cookie stored');
    }
  });
});
