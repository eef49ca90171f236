/**
 * whoami while passwords are hashed on the same process (issue 13: "whoami p99 within 2x of its idle
 * value while 20 logins per second hash passwords"). Two runs of the shared harness's whoami-header
 * scenario against one Porta on a fresh copy of bench/vs-a.ts's SQLite dataset: idle, then with an API
 * login (Porta's default argon2id, verified on the libuv pool) every 1/RATE seconds from this process.
 *
 *   npx tsc -p tsconfig.json && node --import tsx bench/vs-a.ts --sessions 100k --db sqlite --passes 1 --systems porta --scenarios whoami-header
 *   node --import tsx bench/logins-under-load.ts --sessions 100k --rate 20 [--cpus 1]
 *
 * `--cpus 1` pins Porta (event loop and hashing threads alike) to CPU 1, as vs-a.ts does; `--cpus 0,1`
 * lets the hashing threads use the load generator's core too.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeBenchConfig } from './dataset.js';
import { launcherFlags, sharedBenchDir } from './lib.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SHARED = sharedBenchDir(ROOT);
const DATA = join(ROOT, 'bench', '.data', 'vs');
const WORK = join(ROOT, 'bench', '.shared-work');
const PORT = 4610;
const BASE = `http://127.0.0.1:${PORT}`;

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100k' },
    rate: { type: 'string', default: '20' },
    cpus: { type: 'string', default: '1' },
    duration: { type: 'string', default: '15' },
  },
});
const n = Number(values.sessions.replace(/k$/i, '000').replace(/M$/, '000000'));
const base = join(DATA, `porta-${n}`);
if (!existsSync(`${base}.pristine.sqlite`)) throw new Error(`no dataset ${base}: run bench/vs-a.ts --sessions ${values.sessions} --db sqlite first`);
if (!existsSync(join(SHARED, 'run.sh'))) throw new Error('the shared harness (run.sh) was not found: set PORTA_BENCH_SHARED');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { env });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d));
    c.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    c.on('close', (code) => resolve({ code, out, err }));
  });
}

async function startPorta(): Promise<{ pid: number; stop: () => void }> {
  const file = join(DATA, 'lul.sqlite');
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  copyFileSync(`${base}.pristine.sqlite`, file);
  // One identifier from one address, 20 a second: every attempt counts against the login throttle while it
  // waits for its hash, so once a hundred wait (a slow machine's queue) the per-identifier cap refuses the rest
  // and the run measures the throttle instead of the hashing. The throttle has its own tests.
  const cfg = writeBenchConfig(join(DATA, 'lul.yaml'), `sqlite://${file}`, PORT, { porta: { login_throttle: { enabled: false } } });
  const child = spawn('taskset', ['-c', values.cpus, process.execPath, ...launcherFlags(ROOT), join(ROOT, 'bin', 'porta.js'), 'serve', '-c', cfg], { env: { ...process.env, NODE_ENV: 'production' }, stdio: 'ignore' });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${BASE}/health/ready`)).status === 200) return { pid: child.pid!, stop: () => child.kill('SIGTERM') };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error('porta did not start');
}

async function json(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(BASE + path, { method, headers: { accept: 'application/json', 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const EMAIL = 'under-load@bench.example.org';
const PASSWORD = 'a long bench password that is not breached 7391';

async function register(): Promise<void> {
  const flow = await json('GET', '/self-service/registration/api');
  const done = await json('POST', `/self-service/registration?flow=${flow.body.id as string}`, { method: 'password', password: PASSWORD, traits: { email: EMAIL, website: 'https://bench.example.org' } });
  if (done.status !== 200) throw new Error(`registration failed: ${done.status} ${JSON.stringify((done.body.ui as { messages?: unknown; nodes?: Array<{ messages: unknown[] }> })?.nodes?.flatMap((x) => x.messages) ?? done.body).slice(0, 400)}`);
}

/** One API login: flow, then the password submit (one argon2id verification). */
async function login(): Promise<number> {
  const t = performance.now();
  const flow = await json('GET', '/self-service/login/api');
  const done = await json('POST', `/self-service/login?flow=${flow.body.id as string}`, { method: 'password', identifier: EMAIL, password: PASSWORD });
  if (done.status !== 200) throw new Error(`login failed: ${done.status} ${JSON.stringify(done.body).slice(0, 200)}`);
  return performance.now() - t;
}

async function whoami(pid: number, label: string): Promise<string> {
  const r = await run(join(SHARED, 'run.sh'), ['--url', BASE, 'whoami-header', label, values.sessions, '--tokens', `${base}.tokens`, '--warm-tokens', `${base}.tokens`, '--pid', String(pid)], {
    ...process.env,
    BENCH_WORK: WORK,
    DURATION: values.duration,
    SYSTEM_LABEL: label,
  });
  const line = r.out.split('\n').find((l) => l.startsWith('| '));
  if (r.code !== 0 || !line) throw new Error(`run.sh failed: ${r.err}`);
  return line;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
const cols = (line: string) => line.split('|').map((s) => s.trim());

const porta = await startPorta();
try {
  await register();
  await login();
  const idle = await whoami(porta.pid, 'porta-idle');
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  let running = true;
  const interval = 1000 / Number(values.rate);
  const inflight = new Set<Promise<void>>();
  const started = performance.now();
  const driver = (async () => {
    // Paced by start time: a slow login does not lower the offered rate.
    let next = performance.now();
    while (running) {
      const p: Promise<void> = login()
        .then((ms) => void latencies.push(ms))
        .catch((err: unknown) => {
          failures++;
          firstFailure ??= String(err);
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
      next += interval;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
  })();
  const loaded = await whoami(porta.pid, 'porta-logins');
  running = false;
  await driver;
  await Promise.all(inflight);
  const [i, l] = [cols(idle), cols(loaded)];
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    [
      `| run | whoami req/s | whoami p50 ms | whoami p99 ms | peak RSS MiB | logins | login p50 ms | login p99 ms |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      `| idle | ${i[4]} | ${i[5]} | ${i[6]} | ${i[8]} | - | - | - |`,
      `| ${values.rate} logins/s (CPUs ${values.cpus}) | ${l[4]} | ${l[5]} | ${l[6]} | ${l[8]} | ${latencies.length} ok, ${failures} failed (~${(latencies.length / seconds).toFixed(1)}/s) | ${pct(latencies, 0.5).toFixed(0)} | ${pct(latencies, 0.99).toFixed(0)} |`,
      '',
      `whoami p99 under logins / idle: ${(Number(l[6]) / Number(i[6])).toFixed(2)}`,
      ...(firstFailure ? [`first failed login: ${firstFailure}`] : []),
      '',
    ].join('\n'),
  );
} finally {
  porta.stop();
}
