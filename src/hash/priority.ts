import { readFile } from 'node:fs/promises';
import { setPriority } from 'node:os';

/** libuv's pool size: UV_THREADPOOL_SIZE as libuv reads it (default 4, at most 1024). */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number.parseInt(env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 1024) : 4;
}

/**
 * The thread ids of libuv's pool, found by asking it: an fs read of `/proc/thread-self/stat` runs on a
 * pool thread and names that thread. Rounds of concurrent reads until every thread has answered.
 */
async function poolThreadIds(size: number): Promise<Set<number>> {
  const tids = new Set<number>();
  for (let round = 0; round < 50 && tids.size < size; round++) {
    const stats = await Promise.all(Array.from({ length: size * 8 }, () => readFile('/proc/thread-self/stat', 'latin1')));
    for (const s of stats) tids.add(Number.parseInt(s.slice(0, s.indexOf(' ')), 10));
  }
  tids.delete(process.pid);
  return tids;
}

/**
 * Lowers the scheduling priority of libuv's thread pool, where argon2id and bcrypt compute, so that on
 * a busy CPU the event loop (every whoami, logout and the rest of each login) is served first and the
 * hashes take what is left; when the CPU is not contended they run as fast as before. Measured with
 * bench/logins-under-load.ts (docs/benchmarks.md): with the pool at the loop's priority, 20 logins a
 * second on the server's core took whoami's p99 to 2-3x its idle value.
 *
 * Linux only: there `setpriority` takes a thread id and a thread keeps its own nice value. Elsewhere, or
 * when the pool cannot be identified, nothing changes. Returns the threads changed.
 */
export async function lowerThreadPoolPriority(nice: number, warn: (msg: string) => void): Promise<number[]> {
  if (nice <= 0 || process.platform !== 'linux') return [];
  const size = threadPoolSize();
  let tids: Set<number>;
  try {
    tids = await poolThreadIds(size);
  } catch (err) {
    warn(`porta.hashing.nice: the thread pool could not be identified (${(err as Error).message}); hashing keeps the event loop's priority`);
    return [];
  }
  if (tids.size !== size) warn(`porta.hashing.nice: found ${tids.size} of ${size} thread-pool threads; only those run at lower priority`);
  const done: number[] = [];
  for (const tid of tids) {
    try {
      setPriority(tid, nice);
      done.push(tid);
    } catch (err) {
      warn(`porta.hashing.nice: could not lower thread ${tid}'s priority (${(err as Error).message})`);
    }
  }
  return done;
}
