import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { WriteGate } from './gate.js';

/*
 * WAL checkpointing off the event loop. better-sqlite3 is synchronous, so SQLite's automatic checkpoint
 * (run inline by the commit that crosses the threshold) would stall every request behind it for up to
 * hundreds of ms. The main connection sets wal_autocheckpoint=0 and this worker, with its own
 * connection, runs PASSIVE checkpoints, which copy frames back while the main thread keeps writing.
 * Under steady writes PASSIVE alone never catches up, and the WAL can only start over once every frame
 * is copied, so once it holds more than half of `walMaxPages` frames the worker closes the write gate
 * (gate.ts), copies the few frames written since its last pass, and opens it again: the next commit then
 * rewinds the WAL. Writes wait only for that tail (milliseconds: the worker checkpoints every 20 ms once
 * the WAL has grown); reads never wait. TRUNCATE, which waits on readers in SQLite's busy handler (sleeps
 * of up to 100 ms), is left for a WAL that a reader kept from rewinding past twice the cap.
 *
 * SQLite syncs the database file only when a checkpoint has copied every frame, and under steady writes
 * only the gated tail does: its fsync then writes back every page the bulk passes copied since the last
 * one (about 2,000 random pages at the default cap, 40-80 ms measured on a 1M-session database), all of
 * it with writers waiting. So before closing the gate the worker flushes the database file itself
 * (`syncFd`, a descriptor the persister holds), copies what arrived meanwhile and flushes again while
 * that is large, and the gated fsync is left with the last few pages. That fsync still runs, so the WAL
 * never starts over before every page it held is durable in the database file.
 *
 * The worker is inline JS (eval) so it runs the same way under tsx and from dist/, and it loads the
 * driver by absolute path so it does not depend on the working directory.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync, fdatasyncSync } = require('node:fs');
const Database = require(workerData.driver);
const gate = new Int32Array(workerData.gate);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
const pageSize = db.pragma('page_size', { simple: true });
// Byte size of a WAL holding walMaxPages frames (32-byte header, 24-byte frame headers).
const capBytes = 32 + workerData.walMaxPages * (pageSize + 24);
const walFile = workerData.file + '-wal';
let running = false;
let syncFd = workerData.syncFd;
// The WAL length at the last gated tail: a WAL that has not moved since (an idle server) needs no new one.
let tailedAt = -1;
const tick = () => {
  if (running) return;
  running = true;
  try {
    // The bulk: copies what is in the WAL while writers go on appending.
    const b0 = Date.now();
    let r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    const bulk = { ms: Date.now() - b0, log: r ? r.log : 0, done: r ? r.checkpointed : 0, flushes: 0, flushMs: 0 };
    if (r && r.log > workerData.walMaxPages / 2 && r.log !== tailedAt) {
      // Write back, ungated, the pages the bulk passes copied, so that the gated pass's fsync finds few.
      // Each flush lets frames pile up in the WAL; copying them dirties pages again, so flush once more
      // while a copy was large (a flush of a few hundred pages takes a few ms; two rounds usually do).
      const f0 = Date.now();
      let flushes = 0;
      if (syncFd >= 0) {
        try {
          for (let copied = Infinity; flushes < 3 && copied > 64; flushes++) {
            fdatasyncSync(syncFd);
            const before = r.checkpointed;
            r = db.pragma('wal_checkpoint(PASSIVE)')[0];
            copied = r.checkpointed - before;
          }
        } catch (e) {
          // Only an optimisation: without it the gated pass's own fsync does the work, as it always may.
          syncFd = -1;
          parentPort.postMessage({ kind: 'error', message: 'flushing the database file: ' + String(e && e.message || e) + '; the gated tail syncs it alone from now on' });
        }
      }
      bulk.flushes = flushes;
      bulk.flushMs = Date.now() - f0;
      // The tail: under steady writes a PASSIVE checkpoint never catches up (new frames arrive while it
      // copies), so the WAL could never start over. With the gate closed no new frame arrives; copying the
      // few written during the bulk takes a moment, and the next commit then rewinds the WAL to its start.
      // PASSIVE never waits on readers (TRUNCATE does, in SQLite's busy handler, which sleeps in steps of
      // up to 100 ms), so writers wait only for the copy itself and its fsync.
      const t0 = Date.now();
      Atomics.store(gate, 0, 1);
      try {
        r = db.pragma('wal_checkpoint(PASSIVE)')[0];
        // A commit already running when the gate closed lands after the first pass.
        if (r.checkpointed < r.log) r = db.pragma('wal_checkpoint(PASSIVE)')[0];
        tailedAt = r.log;
      } finally {
        Atomics.store(gate, 0, 0);
      }
      parentPort.postMessage({ kind: 'tail', before: r.log, busy: r.checkpointed < r.log ? 1 : 0, ms: Date.now() - t0, bulk });
    }
    if (r && r.log > workerData.walMaxPages * 2 && r.checkpointed < r.log) {
      // A reader kept the tail from completing several times over: reset the file the hard way.
      const t0 = Date.now();
      Atomics.store(gate, 0, 1);
      let t;
      try {
        t = db.pragma('wal_checkpoint(TRUNCATE)')[0];
      } finally {
        Atomics.store(gate, 0, 0);
      }
      parentPort.postMessage({ kind: 'truncate', before: r.log, busy: t ? t.busy : -1, ms: Date.now() - t0 });
    }
  } catch (e) {
    parentPort.postMessage({ kind: 'error', message: String(e && e.message || e) });
  } finally {
    running = false;
  }
};
// A busy writer appends thousands of frames a second. Checkpointing in small bites (every watchMs once
// the WAL has grown a little) keeps the bulk copy short and the gated tail to a few milliseconds; an idle
// WAL costs one stat per bite.
const watch = () => {
  let size = 0;
  try { size = statSync(walFile).size; } catch {}
  if (size > capBytes / 8) tick();
};
const timer = setInterval(tick, workerData.intervalMs);
const watcher = setInterval(watch, workerData.watchMs);
parentPort.on('message', (m) => {
  if (m === 'tick') { tick(); parentPort.postMessage({ kind: 'ticked' }); return; }
  if (m !== 'stop') return;
  clearInterval(timer);
  clearInterval(watcher);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Runs one checkpoint pass now (tests); resolves when it is done. */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `gate`: shared with the stores' writers (see gate.ts); a caller with its own statements may pass none.
 * `syncFd`: a descriptor of the database file that outlives the worker, for the flushes before the gated
 * tail; without one the tail's fsync writes back everything the bulk passes copied.
 */
export function startCheckpointer(
  file: string,
  opts: { intervalMs: number; walMaxPages: number; logger: Logger; syncFd?: number },
  gate: WriteGate = new WriteGate(),
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, file, syncFd: opts.syncFd ?? -1, gate: gate.state.buffer, intervalMs: Math.max(10, opts.intervalMs), watchMs: 20, walMaxPages: opts.walMaxPages, busyTimeoutMs: 5000 },
  });
  let exited = false;
  const done = new Promise<void>((resolve) => worker.once('exit', () => ((exited = true), resolve())));
  const waiters: Array<() => void> = [];
  worker.on('message', (m: { kind: string; message?: string; before?: number; busy?: number; ms?: number; bulk?: unknown }) => {
    if (m.kind === 'ticked') {
      waiters.shift()?.();
      if (waiters.length === 0) worker.unref();
    }
    else if (m.kind === 'error') opts.logger.warn({ err: m.message }, 'sqlite WAL checkpoint failed');
    else if (m.kind === 'tail') opts.logger.debug({ walPages: m.before, incomplete: m.busy, ms: m.ms, bulk: m.bulk }, 'sqlite WAL tail checkpointed behind the write gate');
    else if (m.kind === 'truncate') opts.logger.debug({ walPages: m.before, busy: m.busy, ms: m.ms }, 'sqlite WAL over its cap: truncated');
  });
  worker.on('error', (err) => opts.logger.error({ err }, 'sqlite checkpoint worker crashed'));
  // A worker that dies mid-checkpoint must not leave writers waiting.
  worker.once('exit', () => gate.open());
  // A background maintenance thread must never keep the process alive. This comes after the listeners:
  // attaching a 'message' listener refs the worker again.
  worker.unref();
  return {
    tick: () =>
      exited
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            // Someone awaits the answer, so the worker must keep the loop alive until it comes.
            worker.ref();
            waiters.push(resolve);
            worker.postMessage('tick');
          }),
    stop: async () => {
      if (exited) return;
      worker.ref();
      worker.postMessage('stop');
      const force = setTimeout(() => void worker.terminate(), 2000);
      await done;
      clearTimeout(force);
      for (const w of waiters.splice(0)) w();
    },
  };
}
