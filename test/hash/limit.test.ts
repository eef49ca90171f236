import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { devConfig } from '../helpers/dev-config.js';
import { Hasher } from '../../src/hash/hasher.js';
import { WorkLimiter } from '../../src/hash/limit.js';

// Password work runs off the event loop but on the same cores; the limiter keeps only a bounded number of
// computations in flight and queues the rest in arrival order.

/** A task that finishes when told to, recording when it started. */
function gated(log: string[], name: string): { run: () => Promise<string>; finish: () => void; fail: (e: Error) => void } {
  let finish!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  return {
    run: async () => {
      log.push(name);
      await done;
      return name;
    },
    finish: () => finish(),
    fail: (e) => fail(e),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('hash: WorkLimiter', () => {
  test('runs at most max at once, starts the waiting ones in arrival order, and a failure frees its slot', async () => {
    const limiter = new WorkLimiter(2);
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((n) => gated(started, n));
    const results = tasks.map((t) => limiter.run(t.run).catch((e: Error) => `failed ${e.message}`));
    await tick();
    assert.deepEqual(started, ['a', 'b']);
    assert.deepEqual(limiter.state, { running: 2, waiting: 3 });
    tasks[1].fail(new Error('boom'));
    await tick();
    assert.deepEqual(started, ['a', 'b', 'c'], 'the failed task gave its slot to the first waiter');
    tasks[0].finish();
    await tick();
    assert.deepEqual(started, ['a', 'b', 'c', 'd']);
    assert.deepEqual(limiter.state, { running: 2, waiting: 1 });
    for (const t of tasks.slice(2)) t.finish();
    assert.deepEqual(await Promise.all(results), ['a', 'failed boom', 'c', 'd', 'e']);
    assert.deepEqual(limiter.state, { running: 0, waiting: 0 });
  });

  test('a newcomer does not overtake a waiter when a slot frees', async () => {
    const limiter = new WorkLimiter(1);
    const started: string[] = [];
    const first = gated(started, 'first');
    const waiter = gated(started, 'waiter');
    const p1 = limiter.run(first.run);
    const p2 = limiter.run(waiter.run);
    await tick();
    first.finish();
    const late = gated(started, 'late');
    const p3 = limiter.run(late.run);
    await tick();
    assert.deepEqual(started, ['first', 'waiter']);
    waiter.finish();
    late.finish();
    await Promise.all([p1, p2, p3]);
    assert.deepEqual(started, ['first', 'waiter', 'late']);
  });

  test('refuses a limit that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new WorkLimiter(bad), RangeError);
  });
});

describe('hash: porta.hashing.max_concurrent', () => {
  test('automatic by default: the CPUs this process may use, minus one, at least one', () => {
    assert.equal(devConfig().hashMaxConcurrent, Math.max(1, availableParallelism() - 1));
    assert.equal(devConfig({ porta: { hashing: { max_concurrent: 3 } } }).hashMaxConcurrent, 3);
    assert.throws(() => devConfig({ porta: { hashing: { max_concurrent: -1 } } }), /porta.hashing.max_concurrent/);
  });

  test('hashes and verifications beyond the limit wait their turn, and all complete correctly', async () => {
    const h = new Hasher(devConfig({ porta: { hashing: { max_concurrent: 1 } } }));
    const hashing = ['p1', 'p2', 'p3'].map((p) => h.hash(p));
    assert.deepEqual(h.limiter.state, { running: 1, waiting: 2 }, 'one computes, two wait');
    const hashes = await Promise.all(hashing);
    assert.deepEqual(h.limiter.state, { running: 0, waiting: 0 });
    const checks = [h.verify('p1', hashes[0]), h.verify('p2', hashes[1]), h.verify('wrong', hashes[2])];
    assert.deepEqual(h.limiter.state, { running: 1, waiting: 2 }, 'verifications go through the same limit');
    assert.deepEqual(await Promise.all(checks), [true, true, false]);
  });
});
