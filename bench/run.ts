/**
 * Porta vs the bare node:http baseline (style-and-perf.md §2.5), on seeded SQLite files.
 *
 *   npx tsc -p tsconfig.json && node --import tsx bench/run.ts [--plan whoami-header@100000,...]
 *     [--warmup 10] [--duration 15] [--connections 50] [--logout-extra 400000] [--cpu-prof] [--systems porta,baseline]
 *
 * Servers run pinned to CPU 1, wrk on CPU 0, loopback only. Each run gets a fresh copy of the seeded
 * file, so logout runs revoke real, active sessions. Results go to stdout (markdown) and
 * bench/.data/results.json. Not part of `npm test`.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify as toYaml } from 'yaml';
import { BENCH_SECRET, seed } from './seed.js';
import { launcherFlags, procStats, requireTool, runWrk, setNiceness, startPinned, stop, waitReady, type Server, type WrkResult } from './lib.js';
import { summarizeProfile } from './profile.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DATA = join(ROOT, 'bench', '.data');
const SERVER_CPU = 1;
const LOAD_CPU = 0;

const { values } = parseArgs({
  options: {
    plan: { type: 'string', default: 'whoami-header@10000,whoami-header@100000,whoami-cookie@100000,logout-api@100000' },
    systems: { type: 'string', default: 'baseline,porta' },
    warmup: { type: 'string', default: '10' },
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '50' },
    'logout-extra': { type: 'string', default: '600000' },
    'logout-warmup': { type: 'string', default: '5' },
    'cpu-prof': { type: 'boolean', default: false },
    reseed: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '3' },
    /** The `porta-exp` system: another build of Porta (a directory with bin/porta.js and dist/), e.g. an experiment. */
    'porta-root': { type: 'string' },
    nice: { type: 'string', default: process.getuid?.() === 0 ? '-15' : '0' },
  },
});
const warmup = Number(values.warmup);
const duration = Number(values.duration);
const connections = Number(values.connections);
const logoutExtra = Number(values['logout-extra']);

type Scenario = 'whoami-header' | 'whoami-cookie' | 'logout-api';
interface Row {
  scenario: Scenario;
  sessions: number;
  system: string;
  rps: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  maxms: number;
  errors: number;
  cpuPct: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  hwmMiB: number;
  tokensUsed?: number;
  tokensAvailable?: number;
  /** 1-minute load average when the run started (other work on the machine skews results). */
  load1: number;
  pass: number;
}

async function dataset(sessions: number, extra: number) {
  mkdirSync(DATA, { recursive: true });
  const file = join(DATA, `s${sessions}${extra ? `+${extra}` : ''}.sqlite`);
  if (values.reseed || !existsSync(`${file}.tokens`)) {
    process.stderr.write(`seeding ${file} ...\n`);
    const r = await seed(file, sessions, extra);
    process.stderr.write(`  ${r.total} sessions in ${r.seconds.toFixed(1)} s\n`);
  }
  return { file, tokens: `${file}.tokens`, cookies: `${file}.cookies`, logoutTokens: `${file}.logout-tokens` };
}

function freshCopy(src: string): string {
  const dst = join(DATA, 'run.sqlite');
  for (const f of [dst, `${dst}-wal`, `${dst}-shm`]) rmSync(f, { force: true });
  copyFileSync(src, dst);
  return dst;
}

function portaConfig(dsnFile: string): string {
  const file = join(DATA, 'porta.yaml');
  const schema = `file://${join(ROOT, 'test', 'fixtures', 'identity.email.schema.json')}`;
  writeFileSync(
    file,
    toYaml({
      dsn: `sqlite://${dsnFile}`,
      serve: { public: { base_url: 'http://127.0.0.1:4600/', host: '127.0.0.1', port: 4600 }, admin: { base_url: 'http://127.0.0.1:4601/', host: '127.0.0.1', port: 4601 } },
      selfservice: { default_browser_return_url: 'http://127.0.0.1:4455/' },
      identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: schema }] },
      secrets: { default: [BENCH_SECRET] },
      log: { level: 'warn' },
      porta: { ui: { enabled: false } },
    }),
  );
  return file;
}

function start(system: string, dbFile: string, profDir?: string): Server {
  if (system === 'porta' || system === 'porta-exp') {
    const prof = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
    const root = system === 'porta-exp' ? values['porta-root'] : ROOT;
    if (!root) throw new Error('porta-exp needs --porta-root DIR');
    const bin = join(root, 'bin', 'porta.js');
    return startPinned(system, SERVER_CPU, [...prof, ...launcherFlags(root), bin, 'serve', '-c', portaConfig(dbFile)], 'http://127.0.0.1:4600', DATA);
  }
  return startPinned(
    'baseline',
    SERVER_CPU,
    ['--import', 'tsx', join(ROOT, 'bench', 'baseline.ts'), '--db', dbFile, '--port', '4610', '--secret', BENCH_SECRET],
    'http://127.0.0.1:4610',
    ROOT,
  );
}

const firstLine = (file: string): string => readFileSync(file, 'utf8').split('\n', 1)[0];
const lineCount = (file: string): number => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;

/** One request checked by hand before loading: the right status and body shape, as a client sees it. */
async function sanity(s: Server, scenario: Scenario, ds: Awaited<ReturnType<typeof dataset>>): Promise<unknown> {
  if (scenario === 'logout-api') {
    const all = readFileSync(ds.logoutTokens, 'utf8').split('\n').filter(Boolean);
    const token = all[all.length - 1];
    const del = () =>
      fetch(`${s.url}/self-service/logout/api`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session_token: token }) });
    const [a, b] = [await del(), await del()];
    if (a.status !== 204 || b.status !== 204) throw new Error(`${s.name}: logout sanity ${a.status}/${b.status}`);
    const who = await fetch(`${s.url}/sessions/whoami`, { headers: { 'x-session-token': token } });
    if (who.status !== 401) throw new Error(`${s.name}: revoked token still answers ${who.status}`);
    return null;
  }
  const headers: Record<string, string> =
    scenario === 'whoami-cookie' ? { cookie: `ory_kratos_session=${firstLine(ds.cookies)}` } : { 'x-session-token': firstLine(ds.tokens) };
  const res = await fetch(`${s.url}/sessions/whoami`, { headers });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${s.name}: whoami sanity ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function measure(system: string, scenario: Scenario, sessions: number, pass: number, profDir?: string): Promise<{ row: Row; body: unknown }> {
  const ds = await dataset(sessions, scenario === 'logout-api' ? logoutExtra : 0);
  const s = start(system, freshCopy(ds.file), profDir);
  current = s;
  try {
    await waitReady(s, '/health/ready');
    const body = await sanity(s, scenario, ds);
    const mode = scenario === 'whoami-cookie' ? 'cookie' : scenario === 'logout-api' ? 'logout' : 'header';
    const file = mode === 'cookie' ? ds.cookies : mode === 'logout' ? ds.logoutTokens : ds.tokens;
    const script = join(ROOT, 'bench', 'load.lua');
    const pid = s.child.pid as number;
    const before = procStats(pid);
    const load1 = loadavg()[0];
    const offset = mode === 'logout' ? 0 : Math.floor(Math.random() * 1000);
    // A logout spends a token per request: a shorter warm-up keeps the token budget for the measured run.
    const warmSeconds = mode === 'logout' ? Number(values['logout-warmup']) : warmup;
    const warm = runWrk({ cpu: LOAD_CPU, url: s.url, seconds: warmSeconds, connections, script, args: [mode, file, String(offset)] });
    const cpu0 = procStats(pid).cpuTicks;
    const next = mode === 'logout' ? warm.requests + connections : offset;
    const r: WrkResult = runWrk({ cpu: LOAD_CPU, url: s.url, seconds: duration, connections, script, args: [mode, file, String(next)] });
    const after = procStats(pid);
    const row: Row = {
      scenario,
      sessions,
      system,
      rps: r.requests / (r.duration_us / 1e6),
      p50ms: r.p50_us / 1000,
      p90ms: r.p90_us / 1000,
      p99ms: r.p99_us / 1000,
      maxms: r.max_us / 1000,
      errors: r.connect + r.read + r.write + r.status + r.timeout,
      // Clock ticks are 1/100 s, so ticks per second is a percentage of one core.
      cpuPct: (after.cpuTicks - cpu0) / (r.duration_us / 1e6),
      rssBeforeMiB: before.rssMiB,
      rssAfterMiB: after.rssMiB,
      hwmMiB: after.hwmMiB,
      load1,
      pass,
    };
    if (mode === 'logout') {
      row.tokensUsed = next + r.requests;
      row.tokensAvailable = lineCount(file) - 1;
    }
    return { row, body };
  } finally {
    const code = await stop(s);
    if (code !== 0) process.stderr.write(`${s.name} exited with ${code}:\n${s.output()}\n`);
  }
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

const median = (xs: number[]): number => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

/** Medians over the passes; the ratio is the median of per-pass ratios (both systems ran back to back). */
function table(rows: Row[]): string {
  const lines = [
    '| scenario | sessions | system | req/s | p50 ms | p90 ms | p99 ms | errors | server CPU % | RSS before → after MiB (peak) | / baseline (per pass) |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  const keys = [...new Set(rows.map((r) => `${r.scenario}@${r.sessions}@${r.system}`))];
  for (const key of keys) {
    const rs = rows.filter((r) => `${r.scenario}@${r.sessions}@${r.system}` === key);
    const r0 = rs[0];
    const m = (f: (r: Row) => number) => median(rs.map(f));
    let ratio = '';
    if (r0.system !== 'baseline') {
      const per = rs
        .map((r) => [r, rows.find((b) => b.system === 'baseline' && b.scenario === r.scenario && b.sessions === r.sessions && b.pass === r.pass)] as const)
        .filter(([, b]) => b)
        .map(([r, b]) => r.rps / (b as Row).rps);
      if (per.length) ratio = `${(median(per) * 100).toFixed(0)}% (${per.map((x) => (x * 100).toFixed(0)).join(', ')})`;
    }
    lines.push(
      `| ${r0.scenario} | ${r0.sessions.toLocaleString('en')} | ${r0.system} | ${Math.round(m((r) => r.rps)).toLocaleString('en')} | ${f2(m((r) => r.p50ms))} | ${f2(m((r) => r.p90ms))} | ${f2(m((r) => r.p99ms))} | ${rs.reduce((a, r) => a + r.errors, 0)} | ${m((r) => r.cpuPct).toFixed(0)} | ${f1(m((r) => r.rssBeforeMiB))} → ${f1(m((r) => r.rssAfterMiB))} (${f1(Math.max(...rs.map((r) => r.hwmMiB)))}) | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

let current: Server | undefined;
// Interrupted: take the running server down with us.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    current?.child.kill('SIGKILL');
    process.exit(130);
  });
}
setNiceness(Number(values.nice));

// One run at a time: runs share fixed ports and bench/.data/run.sqlite, and would also skew each other.
const LOCK = join(DATA, 'run.lock');
mkdirSync(DATA, { recursive: true });
try {
  writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
} catch {
  const holder = Number(readFileSync(LOCK, 'utf8'));
  let alive = false;
  try {
    process.kill(holder, 0);
    alive = true;
  } catch {
    // stale lock: its process is gone
  }
  if (alive) throw new Error(`another benchmark run (pid ${holder}) is in progress; wait for it to finish`);
  writeFileSync(LOCK, String(process.pid));
}
process.on('exit', () => rmSync(LOCK, { force: true }));

requireTool('wrk', 'apt-get install -y wrk');
requireTool('taskset', 'apt-get install -y util-linux');
if (!existsSync(join(ROOT, 'dist', 'cmd', 'index.js'))) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` first');

const rows: Row[] = [];
const bodies = new Map<string, unknown>();
const profiles: string[] = [];
for (const step of values.plan.split(',')) {
  const [scenario, n] = step.split('@') as [Scenario, string];
  for (let pass = 1; pass <= Number(values.repeat); pass++) {
    for (const system of values.systems.split(',')) {
      const profDir = values['cpu-prof'] && system === 'porta' && pass === 1 ? join(DATA, 'prof', `${scenario}-${n}`) : undefined;
      if (profDir) rmSync(profDir, { recursive: true, force: true });
      process.stderr.write(`${scenario} @ ${n} sessions, pass ${pass}: ${system} (load ${loadavg()[0].toFixed(1)}) ...\n`);
      const { row, body } = await measure(system, scenario, Number(n), pass, profDir);
      rows.push(row);
      if (body) bodies.set(`${scenario}@${n}/${system}`, body);
      process.stderr.write(`  ${Math.round(row.rps)} req/s, p99 ${f2(row.p99ms)} ms, errors ${row.errors}, CPU ${row.cpuPct.toFixed(0)}%\n`);
      if (profDir && existsSync(profDir)) {
        // One profile per thread; the SQLite checkpoint worker's is nearly idle and is left out.
        for (const f of readdirSync(profDir)) {
          const summary = summarizeProfile(join(profDir, f), duration + 1);
          if (!/^Busy [0-4]% /.test(summary)) profiles.push(`### ${scenario} @ ${n}\n\n${summary}`);
        }
      }
    }
  }
}

// The baseline must answer what Porta answers, or the comparison means nothing.
for (const [key, body] of bodies) {
  if (!key.endsWith('/porta')) continue;
  const other = bodies.get(key.replace(/\/porta$/, '/baseline'));
  const shape = (b: unknown) => JSON.stringify(b, (k, v) => (k === 'schema_url' ? '' : v));
  if (other && shape(other) !== shape(body)) process.stderr.write(`WARNING: bodies differ for ${key}:\n porta    ${shape(body)}\n baseline ${shape(other)}\n`);
}

const md = table(rows);
process.stdout.write(`${md}\n`);
if (profiles.length) process.stdout.write(`\n${profiles.join('\n\n')}\n`);
writeFileSync(join(DATA, 'results.json'), JSON.stringify({ when: new Date().toISOString(), warmup, duration, connections, rows }, null, 2));
