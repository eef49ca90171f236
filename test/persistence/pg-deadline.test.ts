import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import pg from 'pg';
import pino from 'pino';
import { watchCheckouts } from '../../src/persistence/postgres/deadline.js';
import { PostgresPersister, poolConfig } from '../../src/persistence/postgres/persister.js';
import { isUnavailableError } from '../../src/x/unavailable.js';
import { PG_URL } from '../helpers/pg.js';

/**
 * A TCP relay to the test database that can be frozen: while frozen it accepts and holds bytes in both
 * directions without passing them on, as a stopped host or a dead network would.
 */
async function freezableRelay(target: URL): Promise<{ url: string; freeze: () => void; thaw: () => void; close: () => Promise<void> }> {
  let frozen = false;
  const pipes: Array<() => void> = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    const held: Array<[net.Socket, Buffer]> = [];
    const relay = (to: net.Socket) => (chunk: Buffer) => (frozen ? held.push([to, chunk]) : to.write(chunk));
    client.on('data', relay(upstream));
    upstream.on('data', relay(client));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    pipes.push(() => {
      for (const [to, chunk] of held.splice(0)) to.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target.href);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.href,
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      for (const flush of pipes) flush();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The promise's outcome, or a rejection naming the missing deadline if it takes longer than `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms: no deadline`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe('postgres: the checkout deadline', { skip: !PG_URL && process.env.CI !== 'true' ? 'PORTA_TEST_PG_URL is not set' : false }, () => {
  test('a query on a frozen connection fails as "unavailable" after the limit, and the pool recovers', async () => {
    const relay = await freezableRelay(new URL(PG_URL as string));
    const pool = new pg.Pool({ ...poolConfig(relay.url), max: 2 });
    pool.on('error', () => {});
    const deadline = watchCheckouts(pool, 400, 50);
    try {
      assert.equal((await pool.query<{ n: number }>('SELECT 1 AS n')).rows[0].n, 1);
      // A statement slower than nothing but well inside the limit is left alone.
      assert.equal((await pool.query<{ n: number }>('SELECT 2 AS n FROM pg_sleep(0.1)')).rows[0].n, 2);

      relay.freeze();
      const started = Date.now();
      const err = await within(pool.query('SELECT 3'), 5000).then(
        () => assert.fail('a frozen server answered'),
        (e: unknown) => e,
      );
      const waited = Date.now() - started;
      assert.ok(isUnavailableError(err), `not classified as unavailable: ${String(err)}`);
      assert.ok(waited >= 400 && waited < 3000, `gave up after ${waited} ms`);
      relay.thaw();

      // The broken connection was dropped; the next query gets a working one.
      assert.equal((await pool.query<{ n: number }>('SELECT 4 AS n')).rows[0].n, 4);
    } finally {
      deadline.stop();
      await pool.end();
      await relay.close();
    }
    // stop() takes its listeners off the pool.
    assert.equal(pool.listenerCount('acquire'), 0);
    assert.equal(pool.listenerCount('release'), 0);
  });

  test("a serving persister's queries give up on a frozen database; without serving there is no deadline", async () => {
    const relay = await freezableRelay(new URL(PG_URL as string));
    const logger = pino({ level: 'silent' });
    const serving = await PostgresPersister.open(relay.url, { logger, serving: true });
    const tool = await PostgresPersister.open(relay.url, { logger });
    try {
      // No per-query timer: pg's query_timeout is not set, the deadline watches checkouts instead.
      assert.equal((poolConfig(relay.url, { serving: true }) as { query_timeout?: number }).query_timeout, undefined);
      assert.equal(serving.pool.listenerCount('acquire'), 1);
      assert.equal(tool.pool.listenerCount('acquire'), 0);

      assert.equal((await serving.pool.query<{ n: number }>('SELECT 1 AS n')).rows[0].n, 1);
      relay.freeze();
      const started = Date.now();
      const err = await within(serving.pool.query('SELECT 2'), 12_000).then(
        () => assert.fail('a frozen server answered'),
        (e: unknown) => e,
      );
      const waited = Date.now() - started;
      assert.ok(isUnavailableError(err), `not classified as unavailable: ${String(err)}`);
      // The serving limit is 6 s, checked every second.
      assert.ok(waited >= 6000 && waited < 9000, `gave up after ${waited} ms`);
    } finally {
      relay.thaw();
      await serving.close();
      await tool.close();
      await relay.close();
    }
  });
});
