/** Process, /proc and wrk plumbing for the benchmark runner. Loopback only, every run time-bounded. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Server {
  name: string;
  child: ChildProcess;
  url: string;
  output(): string;
}

/**
 * The Node flags of Porta's launcher (its `#!/usr/bin/env -S node ...` line), so that benchmarks start
 * Porta with `node FLAGS bin/porta.js` exactly as `porta serve` runs, whatever node binary they use.
 */
export function launcherFlags(root: string): string[] {
  const first = readFileSync(join(root, 'bin', 'porta.js'), 'utf8').split('\n', 1)[0];
  const prefix = '#!/usr/bin/env -S node';
  return first.startsWith(prefix) ? first.slice(prefix.length).split(' ').filter((f) => f !== '') : [];
}

/** Kratos-style env overrides would silently change the config under test: drop them. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(DSN|DEV|SERVE|SELFSERVICE|SESSION|COOKIES|SECRETS|IDENTITY|HASHERS|LOG|PORTA)(_|$)/.test(k)) env[k] = v;
  return { ...env, NODE_ENV: 'production' };
}

/**
 * Niceness of the server and of wrk. On a machine other work shares, a negative value (root only) keeps
 * the measured processes on their cores; both systems get the same.
 */
let niceness = 0;
export function setNiceness(n: number): void {
  niceness = n;
}
/** `nice -n N taskset -c CPU CMD...`: both exec, so the pid is CMD's. */
function pinned(cpu: number | string, cmd: string[]): [string, string[]] {
  return ['nice', ['-n', String(niceness), 'taskset', '-c', String(cpu), ...cmd]];
}

/** Starts `node ARGS` pinned to `cpu`. */
export function startPinned(name: string, cpu: number | string, nodeArgs: string[], url: string, cwd: string): Server {
  const [cmd, args] = pinned(cpu, [process.execPath, ...nodeArgs]);
  const child = spawn(cmd, args, { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  return { name, child, url, output: () => out };
}

export async function waitReady(s: Server, path: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (s.child.exitCode !== null) throw new Error(`${s.name} exited (${s.child.exitCode}):\n${s.output()}`);
    try {
      const res = await fetch(`${s.url}${path}`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${s.name} not ready after ${timeoutMs} ms:\n${s.output()}`);
}

export async function stop(s: Server): Promise<number | null> {
  if (s.child.exitCode !== null) return s.child.exitCode;
  const exited = new Promise<number | null>((r) => s.child.once('exit', (code) => r(code)));
  s.child.kill('SIGTERM');
  const t = setTimeout(() => s.child.kill('SIGKILL'), 15_000);
  const code = await exited;
  clearTimeout(t);
  return code;
}

export interface ProcStats {
  rssMiB: number;
  hwmMiB: number;
  /** utime + stime in clock ticks (1/100 s on Linux). */
  cpuTicks: number;
}

export function procStats(pid: number): ProcStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "(comm) ", field index 11 is utime and 12 is stime (fields 14 and 15 of proc(5)).
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024, cpuTicks };
}

export interface WrkResult {
  requests: number;
  duration_us: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  max_us: number;
}

/** One wrk run on `cpu`, bounded by `seconds`; returns the script's summary. */
export function runWrk(opts: { cpu: number; url: string; seconds: number; connections: number; script: string; args: string[] }): WrkResult {
  const [cmd, args] = pinned(opts.cpu, ['wrk', '-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '--timeout', '5s', '-s', opts.script, opts.url, '--', ...opts.args]);
  const res = spawnSync(cmd, args, { encoding: 'utf8', timeout: (opts.seconds + 30) * 1000 });
  const line = (res.stdout ?? '').split('\n').find((l) => l.startsWith('WRK_RESULT '));
  if (!line) throw new Error(`wrk failed (${res.status}): ${res.stdout}\n${res.stderr}`);
  return JSON.parse(line.slice('WRK_RESULT '.length)) as WrkResult;
}

export function requireTool(name: string, hint: string): void {
  if (spawnSync('sh', ['-c', `command -v ${name}`]).status !== 0) throw new Error(`${name} is missing: ${hint}`);
}

/**
 * The shared harness (../shared/bench, with run.sh and the wrk scripts) next to the checkout `root`; a
 * worktree one level deeper (/work/wt/NAME) finds it one more level up; PORTA_BENCH_SHARED overrides both.
 */
export function sharedBenchDir(root: string): string {
  const candidates = [join(root, '..', 'shared', 'bench'), join(root, '..', '..', 'shared', 'bench')];
  return process.env.PORTA_BENCH_SHARED ?? candidates.find((d) => existsSync(join(d, 'run.sh'))) ?? candidates[0];
}
