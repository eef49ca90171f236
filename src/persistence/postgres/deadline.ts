import type pg from 'pg';
import type { Socket } from 'node:net';

/**
 * A client-side deadline on every connection checkout while serving. statement_timeout is enforced by
 * the server, so a frozen server or a dead network would leave a request waiting for good; a connection
 * checked out for longer than `limitMs` has its socket destroyed, its query fails with "Connection
 * terminated unexpectedly" (answered 503, x/unavailable.ts), and the pool drops the connection.
 *
 * Not pg's `query_timeout`, which does the same per query with a timer armed and cleared around each
 * one: under load (API logout, PostgreSQL, 100k sessions) that made V8 promote ~230 KB per scavenge
 * where none is promoted without it, old space grew with throughput and peak RSS went from ~110 to
 * 146-160 MiB (docs/benchmarks.md, twelfth session). Here one unreferenced interval checks the few
 * checked-out connections, and a checkout costs a Map write and delete.
 */
export function watchCheckouts(pool: pg.Pool, limitMs: number, tickMs = Math.min(1000, limitMs)): { stop: () => void } {
  const since = new Map<pg.PoolClient, number>();
  const onAcquire = (client: pg.PoolClient) => since.set(client, Date.now());
  const onRelease = (_err: Error | undefined, client: pg.PoolClient) => since.delete(client);
  const onRemove = (client: pg.PoolClient) => since.delete(client);
  pool.on('acquire', onAcquire);
  pool.on('release', onRelease);
  pool.on('remove', onRemove);
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [client, at] of since) {
      if (now - at <= limitMs) continue;
      since.delete(client);
      // pg exposes no public way to abort a query in flight; its own timeout destroys this same socket.
      (client as unknown as { connection: { stream: Socket } }).connection.stream.destroy();
    }
  }, tickMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      pool.off('acquire', onAcquire);
      pool.off('release', onRelease);
      pool.off('remove', onRemove);
      since.clear();
    },
  };
}
