import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A template that ran past its time limit (its process was killed). */
export class JsonnetTimeoutError extends Error {}

interface Pending {
  id: number;
  code: string;
  ctx?: string;
  check?: boolean;
  resolve(out: string): void;
  reject(err: Error): void;
}

interface Worker {
  child: ChildProcess;
  /** The process has loaded and said so; the time limit counts evaluation only, never the start. */
  ready: boolean;
  job?: Pending;
  timer?: NodeJS.Timeout;
}

/** A worker that cannot even start within this long is broken. */
const START_LIMIT_MS = 30_000;

// The worker next to this module: .ts under tsx (tests), .js once built.
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const WORKER = fileURLToPath(new URL(`./jsonnet-worker${ext}`, import.meta.url));

/** Loader flags (tsx's --import) carry over to the worker; test-runner and inspector flags do not. */
function loaderArgs(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--import' || a === '--loader' || a === '--require' || a === '-r') out.push(a, argv[++i]);
    else if (a.startsWith('--import=') || a.startsWith('--loader=') || a.startsWith('--require=')) out.push(a);
  }
  return out;
}

/**
 * Kratos's jsonnetsecure pool for Node: a few forked processes, started when first needed, each
 * evaluating one template at a time under a wall-clock limit; a process that overruns is killed and
 * replaced. Evaluation never runs in the server process.
 */
export class JsonnetPool {
  private readonly workers: Worker[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly timeoutMs: number,
  ) {}

  /** Evaluates a template with `ctx` (JSON text) as its top-level argument; resolves to the JSON output. */
  evaluate(code: string, ctx: string): Promise<string> {
    return this.submit({ code, ctx });
  }

  /** Compiles a template without evaluating it: rejects with the parser's message when it cannot work. */
  async check(code: string): Promise<void> {
    await this.submit({ code, check: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('jsonnet pool closed'));
    for (const w of this.workers.splice(0)) this.retire(w, new Error('jsonnet pool closed'));
  }

  private submit(job: { code: string; ctx?: string; check?: boolean }): Promise<string> {
    if (this.closed) return Promise.reject(new Error('jsonnet pool closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ ...job, id: this.nextId++, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let w = this.workers.find((x) => !x.job);
      if (!w) {
        if (this.workers.length >= this.size) return;
        w = this.spawn();
      }
      const job = this.queue.shift()!;
      this.start(w, job);
    }
  }

  private spawn(): Worker {
    const child = fork(WORKER, [], { execArgv: loaderArgs(), stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
    const w: Worker = { child, ready: false };
    child.on('message', (m: { ready?: boolean; id: number; ok: boolean; out?: string; error?: string }) => {
      if (m.ready) {
        w.ready = true;
        if (w.job) this.start(w, w.job);
        return;
      }
      const job = w.job;
      if (!job || job.id !== m.id) return;
      this.finish(w);
      if (m.ok) job.resolve(m.out ?? '');
      else job.reject(new Error(m.error ?? 'jsonnet evaluation failed'));
      this.dispatch();
    });
    child.on('exit', () => this.retire(w, new Error('jsonnet worker exited')));
    child.on('error', () => this.retire(w, new Error('jsonnet worker failed')));
    // An idle pool does not keep the server process alive.
    child.unref();
    child.channel?.unref();
    this.workers.push(w);
    return w;
  }

  private start(w: Worker, job: Pending): void {
    w.job = job;
    clearTimeout(w.timer);
    if (!w.ready) {
      w.timer = setTimeout(() => this.retire(w, new Error('jsonnet worker did not start')), START_LIMIT_MS);
      return;
    }
    // A start-up compile check is not a request's template run: it gets a start-up sized limit.
    const limit = job.check ? Math.max(this.timeoutMs, 10_000) : this.timeoutMs;
    w.timer = setTimeout(() => this.retire(w, new JsonnetTimeoutError(`jsonnet evaluation exceeded ${limit} ms`)), limit);
    w.child.send({ id: job.id, code: job.code, ctx: job.ctx, check: job.check });
  }

  private finish(w: Worker): void {
    clearTimeout(w.timer);
    w.timer = undefined;
    w.job = undefined;
  }

  /** Kills a worker (time-out, exit, close); its job fails and a fresh worker takes the queue. */
  private retire(w: Worker, err: Error): void {
    const i = this.workers.indexOf(w);
    if (i >= 0) this.workers.splice(i, 1);
    const job = w.job;
    this.finish(w);
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    job?.reject(err);
    if (!this.closed) this.dispatch();
  }
}
