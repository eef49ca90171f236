import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { WriteGate } from './gate.js';

/*
 * WAL checkpointing off the event loop. better-sqlite3 is synchronous, so SQLite's automatic checkpoint
 * (run inline by the commit that crosses the threshold) would stall every request behind it for up to
 * hundreds of ms. The main connection sets wal_autocheckpoint=0 and this worker, with its own
 * connection, runs a PASSIVE checkpoint on a timer. PASSIVE alone lets the WAL grow without bound under
 * steady writes, so once the WAL holds more than `walMaxPages` frames the worker escalates to TRUNCATE,
 * which waits for the writer, copies everything back and resets the file to zero bytes. The size is
 * watched every 20 ms, so the WAL stays near the cap even under a write burst; the price is that a
 * write arriving during the TRUNCATE waits for it (a copy of about the cap, tens of ms).
 *
 * The worker is inline JS (eval) so it runs the same way under tsx and from dist/, and it loads the
 * driver by absolute path so it does not depend on the working directory.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const gate = new Int32Array(workerData.gate);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
const pageSize = db.pragma('page_size', { simple: true });
// Byte size of a WAL holding walMaxPages frames (32-byte header, 24-byte frame headers).
const capBytes = 32 + workerData.walMaxPages * (pageSize + 24);
const walFile = workerData.file + '-wal';
let running = false;
const tick = () => {
  if (running) return;
  running = true;
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    if (r && r.log > workerData.walMaxPages) {
      const t0 = Date.now();
      // Writers on the main thread wait (asynchronously) while the gate is closed, see gate.ts.
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
// A busy writer can append hundreds of MB per second, so the size is watched far more often than the
// checkpoint interval (a stat costs microseconds, and only this thread pays it).
const watch = () => {
  let size = 0;
  try { size = statSync(walFile).size; } catch {}
  if (size > capBytes) tick();
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

/** `gate`: shared with the stores' writers (see gate.ts); a caller with its own statements may pass none. */
export function startCheckpointer(file: string, opts: { intervalMs: number; walMaxPages: number; logger: Logger }, gate: WriteGate = new WriteGate()): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, file, gate: gate.state.buffer, intervalMs: Math.max(10, opts.intervalMs), watchMs: 20, walMaxPages: opts.walMaxPages, busyTimeoutMs: 5000 },
  });
  let exited = false;
  const done = new Promise<void>((resolve) => worker.once('exit', () => ((exited = true), resolve())));
  const waiters: Array<() => void> = [];
  worker.on('message', (m: { kind: string; message?: string; before?: number; busy?: number; ms?: number }) => {
    if (m.kind === 'ticked') {
      waiters.shift()?.();
      if (waiters.length === 0) worker.unref();
    }
    else if (m.kind === 'error') opts.logger.warn({ err: m.message }, 'sqlite WAL checkpoint failed');
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
