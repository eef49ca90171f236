import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A Jsonnet evaluation that failed: a compile or runtime error, a refused import, or the time limit. */
export class JsonnetError extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

interface Pending {
  id: number;
  snippet: string;
  ctx?: string;
  resolve(out: string): void;
  reject(err: Error): void;
}

interface Slot {
  child: ChildProcess | null;
  /** Set once the worker said it is ready; jobs are sent (and timed) only then. */
  ready: boolean;
  job: Pending | null;
  timer?: NodeJS.Timeout;
}

// Under tsx (tests) this module is the .ts source; the built server runs dist/*.js.
const SELF = fileURLToPath(import.meta.url);
const WORKER = SELF.replace(/pool\.(ts|js)$/, (_m, ext: string) => `worker.${ext}`);
const EXEC_ARGV = SELF.endsWith('.ts') ? ['--import', 'tsx'] : [];

/**
 * A small pool of Jsonnet worker processes, as Kratos's jsonnetsecure runs templates: each
 * evaluation has a wall-clock limit, and a worker that overruns it is killed and replaced, so neither
 * an endless template nor libjsonnet itself ever runs on the server's threads (or the libuv threads
 * that hash passwords). Workers start on first use and are unreferenced while idle.
 */
export class JsonnetPool {
  private readonly slots: Slot[];
  private readonly queue: Pending[] = [];
  private seq = 0;
  private closed = false;

  constructor(
    size = 2,
    private readonly timeoutMs = 1000,
  ) {
    this.slots = Array.from({ length: size }, () => ({ child: null, ready: false, job: null }));
  }

  /** Evaluates `snippet` with `ctx` (JSON) as the top-level argument; without ctx, as is. */
  evaluate(snippet: string, ctx?: string): Promise<string> {
    if (this.closed) return Promise.reject(new JsonnetError('the Jsonnet pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: ++this.seq, snippet, ctx, resolve, reject });
      this.pump();
    });
  }

  /** Kills every worker; pending evaluations fail. */
  close(): void {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new JsonnetError('the Jsonnet pool is closed'));
    for (const slot of this.slots) this.fail(slot, new JsonnetError('the Jsonnet pool is closed'), true);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job) continue;
      const job = this.queue.shift() as Pending;
      this.start(slot, job);
    }
  }

  private start(slot: Slot, job: Pending): void {
    const child = slot.child ?? this.spawn(slot);
    slot.job = job;
    child.ref();
    child.channel?.ref();
    if (slot.ready) this.dispatch(slot);
  }

  private dispatch(slot: Slot): void {
    const job = slot.job;
    if (!job || !slot.child) return;
    slot.timer = setTimeout(() => this.fail(slot, new JsonnetError(`the template ran longer than ${this.timeoutMs}ms and was stopped`, true), true), this.timeoutMs);
    slot.child.send({ id: job.id, snippet: job.snippet, ctx: job.ctx });
  }

  private spawn(slot: Slot): ChildProcess {
    const child = fork(WORKER, [], { execArgv: EXEC_ARGV, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
    slot.child = child;
    slot.ready = false;
    child.on('message', (msg: { ready?: boolean; id: number; ok: boolean; out?: string; error?: string }) => {
      if (msg.ready) {
        slot.ready = true;
        return this.dispatch(slot);
      }
      const job = slot.job;
      if (!job || msg.id !== job.id) return;
      this.finish(slot);
      if (msg.ok) job.resolve(msg.out as string);
      else job.reject(new JsonnetError(msg.error ?? 'evaluation failed'));
    });
    child.on('exit', () => {
      if (slot.child === child) {
        slot.child = null;
        this.fail(slot, new JsonnetError('the Jsonnet worker exited'), false);
      }
    });
    child.on('error', () => {});
    return child;
  }

  private finish(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.job = null;
    slot.child?.unref();
    slot.child?.channel?.unref();
    this.pump();
  }

  private fail(slot: Slot, err: Error, kill: boolean): void {
    const job = slot.job;
    const child = slot.child;
    if (kill && child) {
      slot.child = null;
      child.kill('SIGKILL');
    }
    if (job) {
      this.finish(slot);
      job.reject(err);
    }
  }
}
