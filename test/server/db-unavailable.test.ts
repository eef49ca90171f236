import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { buildApp, type App } from '../../src/app.js';
import { Config } from '../../src/config/config.js';
import { openPersister } from '../../src/persistence/index.js';
import { createLogger } from '../../src/x/logger.js';
import { deepMerge } from '../../src/x/merge.js';
import { randomAlnum } from '../../src/x/tokens.js';
import { referenceConfig, startApp, type TestApp } from '../helpers/harness.js';
import { createPgDatabase, PG_URL, postgresAvailable, postgresRequired } from '../helpers/pg.js';
import { seedLogin } from '../helpers/seed.js';

// Issue 8, faults: a database that cannot be used answers 503 in the Kratos format (not Kratos's 500,
// and without the driver's text), within a bounded time, and Porta recovers when it comes back.

const UNAVAILABLE = {
  error: {
    code: 503,
    status: 'Service Unavailable',
    reason: 'The database is temporarily unavailable. Please try again later.',
    message: 'The service is temporarily unavailable',
  },
};
const NOT_READY = { errors: { database: 'the database is not reachable' } };

type Injectable = App['public'];
async function call(server: Injectable, method: 'GET' | 'DELETE' | 'POST', url: string, opts: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers['x-session-token'] = opts.token;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await server.inject({ method, url, headers, payload: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  return { status: res.statusCode, body: res.body, type: res.headers['content-type'] };
}

function assertUnavailable(a: { status: number; body: string; type: unknown }, where: string): void {
  assert.equal(a.status, 503, `${where}: ${a.status} ${a.body}`);
  assert.equal(a.type, 'application/json', where);
  assert.deepEqual(JSON.parse(a.body), UNAVAILABLE, where);
}

const silent = new Writable({ write: (_c, _e, cb) => cb() });

/** The app `porta serve` builds (statement timeouts on), on any DSN, without migrating or listening. */
async function servingApp(dsn: string): Promise<TestApp> {
  const config = Config.load({ values: deepMerge(referenceConfig(), { dsn }), env: {} });
  const logger = createLogger({ level: 'silent', destination: silent });
  const persister = await openPersister(dsn, { logger, serving: true });
  const app = await buildApp(config, persister, logger);
  return { app, config, backend: 'postgres', dsn, publicURL: '', adminURL: '', close: () => app.close() };
}

test('SQLite: a write that waits past busy_timeout answers 503, reads go on, and it works once the lock is gone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-busy-'));
  const file = join(dir, 'porta.sqlite');
  const t = await startApp({ dsn: `sqlite://${file}?_fk=true` });
  const other = new Database(file);
  try {
    const { token } = await seedLogin(t);
    // Another process holds the write lock longer than Porta's busy_timeout.
    other.exec('BEGIN IMMEDIATE');
    assertUnavailable(await call(t.app.public, 'DELETE', '/self-service/logout/api', { body: { session_token: token } }), 'logout under a held lock');
    assert.equal((await call(t.app.public, 'GET', '/sessions/whoami', { token })).status, 200, 'WAL readers are not blocked');
    other.exec('ROLLBACK');
    assert.equal((await call(t.app.public, 'DELETE', '/self-service/logout/api', { body: { session_token: token } })).status, 204);
    assert.equal((await call(t.app.public, 'GET', '/sessions/whoami', { token })).status, 401);
  } finally {
    other.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PostgreSQL: nothing listening at the DSN: 503 on reads, writes and transactions, /health/ready 503', async () => {
  // A port that was free a moment ago: connections are refused.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
  const t = await servingApp(`postgres://porta:secret@127.0.0.1:${port}/porta`);
  try {
    const token = `ory_st_${randomAlnum(32)}`;
    assertUnavailable(await call(t.app.public, 'GET', '/sessions/whoami', { token }), 'whoami');
    assertUnavailable(await call(t.app.public, 'DELETE', '/self-service/logout/api', { body: { session_token: token } }), 'API logout');
    assertUnavailable(
      await call(t.app.admin, 'POST', '/admin/identities', { body: { schema_id: 'default', traits: { email: 'a@example.org', website: 'https://www.ory.sh/' } } }),
      'identity creation (a transaction)',
    );
    for (const server of [t.app.public, t.app.admin]) {
      const ready = await call(server, 'GET', '/health/ready');
      assert.equal(ready.status, 503);
      assert.deepEqual(JSON.parse(ready.body), NOT_READY, 'the driver text (host, port) is not sent');
    }
  } finally {
    await t.close();
  }
});

/** A TCP proxy to PostgreSQL that can freeze: it then keeps every connection open and forwards nothing. */
function freezableProxy(target: URL): Promise<{ port: number; freeze(on: boolean): void; close(): Promise<void> }> {
  let frozen = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (d) => frozen || upstream.write(d));
    upstream.on('data', (d) => frozen || client.write(d));
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as { port: number }).port,
        freeze: (on) => (frozen = on),
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

describe('PostgreSQL: a database that stops answering', { skip: !postgresAvailable() && !postgresRequired() ? 'PORTA_TEST_PG_URL is not set' : false }, () => {
  let db: { dsn: string; drop(): Promise<void> };
  let proxy: Awaited<ReturnType<typeof freezableProxy>>;
  let t: TestApp;
  before(async () => {
    db = await createPgDatabase();
    // Migrated directly; the app under test reaches the database only through the proxy.
    const migrated = await startApp({ backend: 'postgres', dsn: db.dsn });
    await migrated.close();
    proxy = await freezableProxy(new URL(PG_URL!));
    const url = new URL(db.dsn);
    url.host = `127.0.0.1:${proxy.port}`;
    t = await servingApp(url.href);
  });
  after(async () => {
    await t?.close();
    await proxy?.close();
    await db?.drop();
  });

  test('requests answer 503 within the statement bound instead of hanging, and work again once it answers', async () => {
    const { token } = await seedLogin(t);
    assert.equal((await call(t.app.public, 'GET', '/sessions/whoami', { token })).status, 200);
    proxy.freeze(true);
    const started = Date.now();
    const [whoami, logout, ready] = await Promise.all([
      call(t.app.public, 'GET', '/sessions/whoami', { token }),
      call(t.app.public, 'DELETE', '/self-service/logout/api', { body: { session_token: token } }),
      call(t.app.public, 'GET', '/health/ready'),
    ]);
    const took = Date.now() - started;
    assertUnavailable(whoami, 'whoami on a frozen database');
    assertUnavailable(logout, 'logout on a frozen database');
    assert.equal(ready.status, 503);
    assert.deepEqual(JSON.parse(ready.body), NOT_READY);
    // A ceiling, not a speed check: without statement timeouts these requests never finish.
    assert.ok(took < 30_000, `answered after ${took} ms`);
    proxy.freeze(false);
    assert.equal((await call(t.app.public, 'GET', '/health/ready')).status, 200);
    // The logout's outcome was unknown to the client: it either happened or not, never half.
    const after = await call(t.app.public, 'GET', '/sessions/whoami', { token });
    assert.ok([200, 401].includes(after.status), `whoami after the freeze: ${after.status} ${after.body}`);
    if (after.status === 200) assert.equal((await call(t.app.public, 'DELETE', '/self-service/logout/api', { body: { session_token: token } })).status, 204);
    assert.equal((await call(t.app.public, 'GET', '/sessions/whoami', { token })).status, 401);
  });
});
