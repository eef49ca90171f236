/**
 * Porta against the reference A (../shared/bench), side by side, through the shared harness's run.sh.
 *
 *   npx tsc -p tsconfig.json && node --import tsx bench/vs-a.ts --sessions 100k --db sqlite,postgres
 *     [--scenarios whoami-header,whoami-cookie,api-logout,browser-logout] [--passes 2] [--cpu-prof]
 *     [--pg-url postgres://postgres:porta@127.0.0.1:5432/postgres] [--systems a,porta] [--nice 0] [--reseed] [--seed-only]
 *
 * For each database and session count it seeds Porta once (bench/dataset.ts: straight into SQLite with
 * Porta's migrations, then copied into a PostgreSQL template database), then runs, pass after pass, every
 * scenario on A and on Porta back to back (the order alternates between passes). Every run gets a fresh
 * copy of the pristine database (a file copy; on PostgreSQL CREATE DATABASE ... TEMPLATE), so logout runs
 * revoke real sessions and warm-ups draw on a disjoint pool; logout windows are shortened where the pools
 * would not last 15 s (windowFor) and then repeated (runOne), and a logout row that still ran out is
 * flagged. A on SQLite is run.sh's managed `limit`; A on PostgreSQL is bench/limit-pg.mjs. Servers are pinned to CPU 1, wrk to CPU 0 (run.sh). Prints run.sh's
 * per-pass rows and the ratio table (medians of the passes); rows also go to bench/.data/vs/results.tsv.
 * With --cpu-prof, Porta (and A on PostgreSQL) run under `node --cpu-prof` and each profile's top costs are printed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { dropDatabase, pgUrl, recreateDatabase, seedPostgres, seedSqlite, writeBenchConfig } from './dataset.js';
import { launcherFlags, sharedBenchDir } from './lib.js';
import { summarizeProfile } from './profile.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SHARED = sharedBenchDir(ROOT);
const DATA = join(ROOT, 'bench', '.data', 'vs');
const WORK = join(ROOT, 'bench', '.shared-work');
const PORT = 4600;

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100k' },
    scenarios: { type: 'string', default: 'whoami-header,whoami-cookie,api-logout,browser-logout' },
    db: { type: 'string', default: 'sqlite,postgres' },
    passes: { type: 'string', default: '2' },
    'cpu-prof': { type: 'boolean', default: false },
    'pg-url': { type: 'string', default: process.env.PORTA_BENCH_PG_URL ?? 'postgres://postgres:porta@127.0.0.1:5432/postgres' },
    reseed: { type: 'boolean', default: false },
    /** Seed the datasets (and PostgreSQL templates) for --sessions and --db, then stop without measuring. */
    'seed-only': { type: 'boolean', default: false },
    systems: { type: 'string', default: 'a,porta' },
    /** Niceness of servers and wrk (both systems alike); negative only as root, and it takes CPU from other work. */
    nice: { type: 'string', default: '0' },
    /** Extra Porta configuration, `dotted.key=value` (repeatable), e.g. porta.session.inactivity_timeout=1h. */
    set: { type: 'string', multiple: true, default: [] },
  },
});

/** `a.b.c=v` pairs as a nested object (values parsed as YAML scalars: numbers and booleans stay typed). */
function extraConfig(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--set needs key=value, got ${pair}`);
    const keys = pair.slice(0, eq).split('.');
    let node = out;
    for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]] = parseYaml(pair.slice(eq + 1));
  }
  return out;
}

const parseN = (s: string): number => {
  const m = /^(\d{1,7})([kKmM]?)$/.exec(s);
  if (!m) throw new Error(`bad --sessions ${s}`);
  return Number(m[1]) * (m[2] === '' ? 1 : m[2].toLowerCase() === 'k' ? 1000 : 1_000_000);
};
const label = (n: number) => (n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n % 1000 === 0 ? `${n / 1000}k` : String(n));

type Db = 'sqlite' | 'postgres';
interface Row {
  db: Db;
  system: 'A' | 'Porta';
  scenario: string;
  n: number;
  pass: number;
  rps: number;
  p99: number;
  non2xx: string;
  rss: number;
  /** The server's CPU share in the measured window, % of one core (run.sh, rounded). */
  cpu: number;
  line: string;
  /** The repeated short windows this row aggregates (runOne), each with its own line. */
  windows?: Row[];
}

/** The pristine Porta dataset for n sessions: SQLite file and token files, and (on demand) the PostgreSQL template. */
async function dataset(n: number, db: Db): Promise<string> {
  mkdirSync(DATA, { recursive: true });
  const base = join(DATA, `porta-${n}`);
  if (values.reseed || !existsSync(`${base}.warm.a.browser`)) {
    process.stderr.write(`seeding Porta (SQLite) with ${n} sessions ...\n`);
    const r = await seedSqlite(base, n);
    process.stderr.write(`  ${r.seconds.toFixed(1)} s\n`);
    rmSync(`${base}.pg-seeded`, { force: true });
  }
  if (db === 'postgres' && !existsSync(`${base}.pg-seeded`)) {
    process.stderr.write(`copying it into PostgreSQL database ${pristineDb(n)} ...\n`);
    const s = await seedPostgres(`${base}.pristine.sqlite`, values['pg-url'], pristineDb(n));
    writeFileSync(`${base}.pg-seeded`, `${s}\n`);
    process.stderr.write(`  ${s.toFixed(1)} s\n`);
  }
  return base;
}
const pristineDb = (n: number) => `bench_vs_${n}_pristine`;
const RUN_DB = 'bench_vs_run';

const portaConfig = (dsn: string): string => writeBenchConfig(join(DATA, 'porta.yaml'), dsn, PORT, extraConfig(values.set));

/** Starts a server pinned to CPU 1 (taskset execs node, so the pid is node's) and waits for `ready`. */
async function startServer(args: string[], ready: string): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn('nice', ['-n', values.nice, 'taskset', '-c', '1', process.execPath, ...args], { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-10_000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${err}`);
    try {
      const res = await fetch(ready, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
      if (err.trim()) process.stderr.write(`server stderr: ${err.slice(-2000)}\n`);
    },
  };
}

/** The token files run.sh gets for a scenario: [measured, warm-up]. A on PostgreSQL takes raw-token cookies. */
function tokenFiles(base: string, scenario: string, rawCookies: boolean): [string, string] {
  const a = rawCookies ? '.a' : '';
  switch (scenario) {
    case 'whoami-header':
      return [`${base}.tokens`, `${base}.tokens`];
    case 'whoami-cookie':
      return [`${base}${a}.cookies`, `${base}${a}.cookies`];
    case 'api-logout':
      return [`${base}.tokens`, `${base}.warm.tokens`];
    case 'browser-logout':
      return [`${base}${a}.browser`, `${base}.warm${a}.browser`];
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}

const LOGOUTS = new Set(['api-logout', 'browser-logout']);
/**
 * Faster than any logout rate either system has reached here (A's best: about 28,000 req/s, the API logout
 * at 100k sessions on SQLite); the logout windows are sized by it so that neither system runs out of live
 * sessions.
 */
const LOGOUT_RATE_BOUND = 30_000;

/**
 * run.sh's warm-up and measured seconds for a scenario at n sessions. whoami keeps the harness's 5 s and
 * 15 s. A logout revokes one session per request, and the seeded pools are 10% (warm-up) and 70%
 * (measured) of n: at 100k a 15 s window would spend the 70,000 sessions in 3-5 s and then time the
 * already-revoked answer (a cheaper path, and a larger share of the faster system's requests, so the
 * ratio would favour whoever ran out first). Logout windows are therefore cut to what the pools hold at
 * LOGOUT_RATE_BOUND: 1 s and 2 s at 100k, 3 s and 15 s at 1M.
 */
function windowFor(scenario: string, n: number): { warmup: number; duration: number; repeats: number } {
  const seconds = (pool: number, max: number) => Math.max(1, Math.min(max, Math.floor(pool / LOGOUT_RATE_BOUND)));
  const sized = LOGOUTS.has(scenario) ? { warmup: seconds(0.1 * n, 5), duration: seconds(0.7 * n, 15) } : { warmup: 5, duration: 15 };
  // WARMUP and DURATION set by hand still pass through to run.sh, as documented; a logout run they make
  // too long for its pool is flagged under the table.
  const given = (name: string) => (/^\d+$/.test(process.env[name] ?? '') ? Number(process.env[name]) : undefined);
  const duration = given('DURATION') ?? sized.duration;
  // Only a window the pool shortened is repeated (runOne); a duration set by hand is taken as meant.
  const repeats = given('DURATION') === undefined && duration < 15 ? Math.ceil(10 / duration) : 1;
  return { warmup: given('WARMUP') ?? sized.warmup, duration, repeats };
}

function runSh(args: string[], sysLabel: string, window: { warmup: number; duration: number }): string {
  const env = {
    ...process.env,
    BENCH_WORK: WORK,
    NODE_PATH: join(ROOT, 'node_modules'),
    SYSTEM_LABEL: sysLabel,
    RESULTS_TSV: join(DATA, 'results.tsv'),
    WARMUP: String(window.warmup),
    DURATION: String(window.duration),
  };
  const r = spawnSync('nice', ['-n', values.nice, join(SHARED, 'run.sh'), ...args], { env, encoding: 'utf8', timeout: 600_000 });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('| '));
  if (r.status !== 0 || !line) throw new Error(`run.sh ${args.join(' ')} failed (${r.status}):\n${r.stderr?.slice(-3000)}`);
  return line;
}

function parseRow(line: string, db: Db, system: Row['system'], scenario: string, n: number, pass: number): Row {
  const c = line.split('|').map((s) => s.trim());
  // | label | scenario | N | rps | p50 | p99 | non2xx | rss | notes |
  return { db, system, scenario, n, pass, rps: Number(c[4]), p99: Number(c[6]), non2xx: c[7], rss: Number(c[8]), cpu: Number(/ cpu=(\d+)%/.exec(line)?.[1] ?? NaN), line: `| ${db} | pass ${pass} |${line.slice(1)}` };
}

/** A fresh copy of the pristine database for one run; returns Porta's DSN for it. */
async function freshCopy(base: string, n: number, db: Db): Promise<string> {
  if (db === 'postgres') {
    await recreateDatabase(values['pg-url'], RUN_DB, pristineDb(n));
    return pgUrl(values['pg-url'], RUN_DB);
  }
  const file = join(DATA, 'run.sqlite');
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  copyFileSync(`${base}.pristine.sqlite`, file);
  spawnSync('sync', [file]);
  return `sqlite://${file}`;
}

/**
 * Samples the server's anonymous and file-backed resident memory (/proc/PID/status) every 200 ms from a
 * shell loop (run.sh runs synchronously, so not from this process), to tell which kind a peak RSS is:
 * run.sh reports only VmHWM, and a few PostgreSQL runs peak 30-60 MiB above the rest.
 */
function sampleRss(pid: number): { peaks: () => string; stop: () => void } {
  const file = join(DATA, `rss-${pid}.txt`);
  const loop = `while kill -0 ${pid} 2>/dev/null; do grep -E '^(RssAnon|RssFile):' /proc/${pid}/status | tr '\\n' ' '; echo; sleep 0.2; done > ${file}`;
  const child = spawn('sh', ['-c', loop], { stdio: 'ignore' });
  const peaks = () => {
    let anon = 0;
    let fileBacked = 0;
    for (const l of (existsSync(file) ? readFileSync(file, 'utf8') : '').split('\n')) {
      anon = Math.max(anon, Number(/RssAnon:\s+(\d+)/.exec(l)?.[1] ?? 0));
      fileBacked = Math.max(fileBacked, Number(/RssFile:\s+(\d+)/.exec(l)?.[1] ?? 0));
    }
    return `anon=${(anon / 1024).toFixed(1)}MiB file=${(fileBacked / 1024).toFixed(1)}MiB`;
  };
  return {
    peaks,
    stop: () => {
      child.kill();
      rmSync(file, { force: true });
    },
  };
}

let profCount = 0;
/**
 * One row of a pass. A window shorter than 15 s (the logouts at 100k) is repeated, each time on a fresh copy
 * of the database and a fresh server, until about 10 s are measured: one two-second window moves too much
 * with the machine. The row then carries the mean req/s and CPU share, the median p99, the largest RSS and
 * the sum of non-2xx answers; every window's own row is printed as it comes.
 */
async function runOne(system: Row['system'], db: Db, scenario: string, n: number, pass: number, base: string): Promise<Row> {
  const window = windowFor(scenario, n);
  const { repeats } = window;
  if (repeats === 1) return runWindow(system, db, scenario, n, pass, base, window);
  const ws: Row[] = [];
  for (let i = 0; i < repeats; i++) {
    const w = await runWindow(system, db, scenario, n, pass, base, window);
    process.stdout.write(`${w.line.replace(`| pass ${pass} |`, `| pass ${pass}, window ${i + 1} |`)}\n`);
    ws.push(w);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rps = mean(ws.map((w) => w.rps));
  const p99 = median(ws.map((w) => w.p99));
  const non2xx = String(ws.reduce((a, w) => a + (Number(w.non2xx) || 0), 0));
  const rss = Math.max(...ws.map((w) => w.rss));
  const cpu = mean(ws.map((w) => w.cpu));
  const revoked = ws.map((w) => / revoked=(\d+)/.exec(w.line)?.[1]).filter(Boolean);
  const notes = `${repeats} windows of ${window.duration} s: mean req/s, median p99 cpu=${Math.round(cpu)}%${revoked.length ? ` revoked=${revoked.join('+')}` : ''}`;
  const line = `| ${db} | pass ${pass} | ${ws[0].line.split('|')[3].trim()} | ${scenario} | ${n} | ${Math.round(rps)} | - | ${p99.toFixed(2)} | ${non2xx} | ${rss.toFixed(1)} | ${notes} |`;
  return { db, system, scenario, n, pass, rps, p99, non2xx, rss, cpu, line, windows: ws };
}

async function runWindow(system: Row['system'], db: Db, scenario: string, n: number, pass: number, base: string, window: { warmup: number; duration: number }): Promise<Row> {
  const sysLabel = `${system === 'A' ? 'A' : 'porta'}-${db}`;
  if (system === 'A' && db === 'sqlite') return parseRow(runSh([scenario, 'limit', label(n)], sysLabel, window), db, system, scenario, n, pass);
  const dsn = await freshCopy(base, n, db);
  // A on SQLite is run.sh's own process; A on PostgreSQL is ours, so it can be profiled like Porta.
  const profDir = values['cpu-prof'] ? join(DATA, 'prof', `${system}-${db}-${scenario}-${n}-${++profCount}`) : undefined;
  const profFlags = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const args =
    system === 'A'
      ? [...profFlags, join(ROOT, 'bench', 'limit-pg.mjs'), dsn, String(PORT)]
      : [...profFlags, ...launcherFlags(ROOT), join(ROOT, 'bin', 'porta.js'), 'serve', '-c', portaConfig(dsn)];
  const server = await startServer(args, `http://127.0.0.1:${PORT}/health/alive`);
  const rss = sampleRss(server.pid);
  let line: string;
  try {
    const [measured, warm] = tokenFiles(base, scenario, system === 'A');
    line = runSh(['--url', `http://127.0.0.1:${PORT}`, scenario, sysLabel, label(n), '--tokens', measured, '--warm-tokens', warm, '--pid', String(server.pid)], sysLabel, window);
    line = line.replace(/ \|$/, ` ${rss.peaks()} |`);
  } finally {
    rss.stop();
    await server.stop();
    if (db === 'postgres') await dropDatabase(values['pg-url'], RUN_DB);
  }
  if (profDir && existsSync(profDir)) {
    for (const f of readdirSync(profDir)) {
      const summary = summarizeProfile(join(profDir, f), 16, 20);
      process.stdout.write(`\n### profile: ${system}, ${db}, ${scenario}, ${label(n)} sessions (${f})\n\n${summary}\n`);
    }
  }
  return parseRow(line, db, system, scenario, n, pass);
}

const median = (xs: number[]): number => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

function ratioTable(rows: Row[]): string {
  const out = [
    '| database | scenario | sessions | A req/s | Porta req/s | Porta / A | per pass | A req/CPU-s | Porta req/CPU-s | Porta / A per CPU-s | A p99 ms | Porta p99 ms | Porta peak RSS MiB |',
    '|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  const keys = [...new Set(rows.map((r) => `${r.db}|${r.scenario}|${r.n}`))];
  for (const key of keys) {
    const rs = rows.filter((r) => `${r.db}|${r.scenario}|${r.n}` === key);
    const a = rs.filter((r) => r.system === 'A');
    const p = rs.filter((r) => r.system === 'Porta');
    if (!a.length || !p.length) continue;
    const perPass = p.map((r) => r.rps / (a.find((x) => x.pass === r.pass)?.rps ?? NaN)).map((x) => x.toFixed(2));
    const [db, scenario] = key.split('|');
    // Requests per second of server CPU: on a machine where other work takes the server's core, throughput
    // follows the share the scheduler grants; this is what each server does with the CPU it gets.
    const eff = (xs: Row[]) => median(xs.map((r) => r.rps / (r.cpu / 100)));
    out.push(
      `| ${db} | ${scenario} | ${label(rs[0].n)} | ${Math.round(median(a.map((r) => r.rps))).toLocaleString('en')} | ${Math.round(median(p.map((r) => r.rps))).toLocaleString('en')} | ` +
        `${(median(p.map((r) => r.rps)) / median(a.map((r) => r.rps))).toFixed(2)} | ${perPass.join(', ')} | ${Math.round(eff(a)).toLocaleString('en')} | ${Math.round(eff(p)).toLocaleString('en')} | ${(eff(p) / eff(a)).toFixed(2)} | ${median(a.map((r) => r.p99)).toFixed(1)} | ${median(p.map((r) => r.p99)).toFixed(1)} | ${Math.max(...p.map((r) => r.rss)).toFixed(1)} |`,
    );
  }
  return out.join('\n');
}

if (spawnSync('sh', ['-c', 'command -v wrk && command -v taskset']).status !== 0) throw new Error('wrk and taskset are required: apt-get install -y wrk');
if (!existsSync(join(ROOT, 'dist', 'cmd', 'index.js'))) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` first');
const rows: Row[] = [];
const systems = values.systems.split(',').map((s) => (s === 'a' ? 'A' : 'Porta')) as Row['system'][];
process.stdout.write('| database | pass | system | scenario | N | req/s | p50 ms | p99 ms | non-2xx | peak RSS MiB | notes |\n|---|---|---|---|---|---:|---:|---:|---:|---:|---|\n');
for (const db of values.db.split(',') as Db[]) {
  for (const n of values.sessions.split(',').map(parseN)) {
    const base = await dataset(n, db);
    if (values['seed-only']) continue;
    for (let pass = 1; pass <= Number(values.passes); pass++) {
      for (const scenario of values.scenarios.split(',')) {
        // Alternate who goes first, so neither side always runs on the warmer (or busier) machine.
        const order = pass % 2 ? systems : [...systems].reverse();
        for (const system of order) {
          const row = await runOne(system, db, scenario, n, pass, base);
          rows.push(row);
          process.stdout.write(`${row.line}\n`);
        }
      }
    }
  }
}
process.stdout.write(`\n${ratioTable(rows)}\n`);
// A logout row is a comparison only if every measured request revoked a live session: Porta and A on
// PostgreSQL answer an already-revoked session with a 401, A on SQLite counts what it revoked.
const spent = rows
  .flatMap((r) => r.windows ?? [r])
  .filter((r) => LOGOUTS.has(r.scenario) && (Number(r.non2xx) > 0 || Number(/ revoked=(\d+)/.exec(r.line)?.[1] ?? 0) >= 0.7 * r.n));
for (const r of spent) process.stdout.write(`warning: ${r.system} ${r.db} ${r.scenario} ${label(r.n)} pass ${r.pass} ran out of live sessions (non-2xx ${r.non2xx}): not every request was a real revocation\n`);
