import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { devConfig } from '../helpers/dev-config.js';
import { threadPoolSize } from '../../src/hash/priority.js';
import { spawnPorta } from '../helpers/spawn.js';

/** Each thread of a process: its id, nice value (field 19 of stat) and CPU ticks spent in user mode. */
function threads(pid: number): Array<{ tid: number; nice: number; utime: number }> {
  return readdirSync(`/proc/${pid}/task`).map((t) => {
    const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'latin1');
    // Fields after the parenthesised command name: state is field 3, utime 14, nice 19.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid: Number(t), nice: Number(f[16]), utime: Number(f[11]) };
  });
}

describe('hash: porta.hashing.nice', () => {
  test('5 by default; 0 to 19 accepted, anything else refused', () => {
    assert.equal(devConfig().hashingNice, 5);
    assert.equal(devConfig({ porta: { hashing: { nice: 0 } } }).hashingNice, 0);
    assert.equal(devConfig({ porta: { hashing: { nice: 19 } } }).hashingNice, 19);
    for (const bad of [-1, 20, 2.5]) assert.throws(() => devConfig({ porta: { hashing: { nice: bad } } }), /porta.hashing.nice/);
  });

  test('UV_THREADPOOL_SIZE is read as libuv reads it', () => {
    assert.equal(threadPoolSize({}), 4);
    assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: '7' }), 7);
    assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: 'x' }), 4);
    assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: '5000' }), 1024);
  });

  test(
    'porta serve runs the thread pool, where logins hash, at the configured nice value and the event loop at 0',
    { skip: process.platform !== 'linux' ? 'per-thread nice values are Linux' : false },
    async () => {
      // Hashes costly enough (tens of ms each) that their CPU time shows in the threads' tick counts.
      const hashers = { argon2: { memory: '32MiB', iterations: 3, parallelism: 1, expected_duration: '1s', expected_deviation: '1s' } };
      const p = await spawnPorta({ config: { hashers, porta: { hashing: { nice: 7 }, login_throttle: { enabled: false } } }, env: { UV_THREADPOOL_SIZE: '3' } });
      try {
        const pid = p.child.pid as number;
        const before = threads(pid);
        const niced = before.filter((t) => t.nice === 7);
        assert.equal(niced.length, 3, `threads: ${JSON.stringify(before)}`);
        assert.equal(before.find((t) => t.tid === pid)?.nice, 0, 'the event loop keeps its priority');
        assert.ok(before.every((t) => t.nice === 0 || t.nice === 7));

        // Registrations hash passwords: the CPU they take is spent on the lowered threads.
        const hashes = Math.max(8, availableParallelism() * 2);
        await Promise.all(
          Array.from({ length: hashes }, async (_, i) => {
            const flow = (await (await fetch(`${p.publicURL}/self-service/registration/api`)).json()) as { id: string };
            const res = await fetch(`${p.publicURL}/self-service/registration?flow=${flow.id}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ method: 'password', password: 'a long enough password for the test', traits: { email: `nice${i}@example.com`, website: 'https://example.com' } }),
            });
            assert.equal(res.status, 200, await res.text());
          }),
        );
        const after = threads(pid);
        const spent = (tids: Set<number>) => after.filter((t) => tids.has(t.tid)).reduce((s, t) => s + t.utime, 0) - before.filter((t) => tids.has(t.tid)).reduce((s, t) => s + t.utime, 0);
        const nicedIds = new Set(niced.map((t) => t.tid));
        // Eight hashes of 32 MiB, three passes: hundreds of milliseconds of CPU, which must show on these threads.
        assert.ok(spent(nicedIds) > 0, 'the hashing ran on the lowered threads');
      } finally {
        await p.stop();
      }
    },
  );

  test('0 leaves every thread of porta serve at the event loop priority', { skip: process.platform !== 'linux' ? 'per-thread nice values are Linux' : false }, async () => {
    const p = await spawnPorta({ config: { porta: { hashing: { nice: 0 } } } });
    try {
      assert.deepEqual([...new Set(threads(p.child.pid as number).map((t) => t.nice))], [0]);
    } finally {
      await p.stop();
    }
  });
});
