/**
 * Two Porta processes on one PostgreSQL against one process, same load, same machine, one run.
 *
 *   npx tsc -p tsconfig.json && node --import tsx bench/pg-pair.ts --sessions 100k [--seconds 15]
 *     [--scenarios whoami-header,api-logout] [--pg-url URL] [--passes 2]
 *
 * Uses bench/vs-a.ts's dataset (run `bench/vs-a.ts --sessions 100k --db postgres --seed-only` first). Each
 * run gets a fresh database from the pristine template. The load is two `wrk -t1 -c25` side by side with
 * the shared harness's scripts: both against the one process, or one against each process of the pair.
 * Logout runs give each wrk its own half of the measured and of the warm-up tokens, so every request is a
 * real revocation and no two requests race for one session. Nothing is pinned: on this 2-core machine the
 * servers, PostgreSQL and wrk share both cores in either set-up, so the pair's gain is what a second
 * process buys when the cores are already busy, not what a second machine would.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dropDatabase, pgUrl, recreateDatabase, writeBenchConfig } from './dataset.js';
import { launcherFlags, procStats, sharedBenchDir, startPinned, stop, waitReady, type Server } from './lib.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DATA = join(ROOT, 'bench', '.data', 'vs');
const WORK = join(ROOT, 'bench', '.data', 'pair');
const SHARED = sharedBenchDir(ROOT);
const RUN_DB = 'bench_pair_run';
const PORTS = [4620, 4630];

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100k' },
    scenarios: { type: 'string', default: 'whoami-header,api-logout' },
    seconds: { type: 'string', default: '15' },
    passes: { type: 'string', default: '2' },
    'pg-url': { type: 'string', default: process.env.PORTA_BENCH_PG_URL ?? 'postgres://postgres:porta@127.0.0.1:5432/postgres' },
  },
});
const n = Number(/^(\d+)([kKmM]?)$/.exec(values.sessions)?.[1]) * ({ k: 1e3, m: 1e6 } as Record<string, number>)[(/[kKmM]$/.exec(values.sessions)?.[0] ?? '').toLowerCase()] || Number(values.sessions);
const base = join(DATA, `porta-${n}`);
if (!existsSync(`${base}.pg-seeded`)) throw new Error(`no PostgreSQL dataset for ${n}: run bench/vs-a.ts --sessions ${values.sessions} --db postgres --seed-only`);
mkdirSync(WORK, { recursive: true });

/** Splits a token file into two disjoint halves (alternate lines), once. */
function halves(file: string): [string, string] {
  const out: [string, string] = [join(WORK, `${file.split('/').pop()}.0`), join(WORK, `${file.split('/').pop()}.1`)];
  if (!existsSync(out[1])) {
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    out.forEach((f, k) => writeFileSync(f, lines.filter((_, i) => i % 2 === k).join('\n') + '\n'));
  }
  return out;
}

const config = (port: number): string => writeBenchConfig(join(WORK, `porta-${port}.yaml`), pgUrl(values['pg-url'], RUN_DB), port);

interface Wrk {
  requests: number;
  rps: number;
  p99: number;
  non2xx: string;
}

/** One wrk -t1 -c25 with a shared script; resolves with its summary line. */
function wrk(url: string, scenario: string, tokens: string, seconds: number): Promise<Wrk> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t1', '-c25', `-d${seconds}s`, '--timeout', '5s', '-s', join(SHARED, 'lua', `${scenario}.lua`), url, '--', tokens], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      const line = out.split('\n').find((l) => l.startsWith('WRK '));
      if (!line) return reject(new Error(`wrk failed: ${out.slice(-2000)}`));
      const f = Object.fromEntries(line.slice(4).split(' ').map((kv) => kv.split('=')));
      resolve({ requests: Number(f.requests), rps: Number(f.rps), p99: Number(f.p99_us) / 1000, non2xx: f.non2xx });
    });
  });
}

async function run(processes: 1 | 2, scenario: string): Promise<string> {
  await recreateDatabase(values['pg-url'], RUN_DB, `bench_vs_${n}_pristine`);
  const servers: Server[] = [];
  try {
    for (const port of PORTS.slice(0, processes)) {
      // Both cores, as the kernel schedules them.
      const s = startPinned(`porta-${port}`, '0,1', [...launcherFlags(ROOT), join(ROOT, 'bin', 'porta.js'), 'serve', '-c', config(port)], `http://127.0.0.1:${port}`, ROOT);
      servers.push(s);
      await waitReady(s, '/health/alive');
    }
    const urls = [0, 1].map((k) => servers[k % servers.length].url);
    const logout = scenario.includes('logout');
    const measured = logout ? halves(`${base}.tokens`) : [`${base}.tokens`, `${base}.tokens`];
    const warm = logout ? halves(`${base}.warm.tokens`) : measured;
    await Promise.all(urls.map((u, k) => wrk(u, scenario, warm[k], 3)));
    const before = servers.map((s) => procStats(s.child.pid!).cpuTicks);
    const seconds = Number(values.seconds);
    const [a, b] = await Promise.all(urls.map((u, k) => wrk(u, scenario, measured[k], seconds)));
    const cpu = servers.map((s, k) => `${Math.round((procStats(s.child.pid!).cpuTicks - before[k]) / seconds)}%`).join('+');
    const rss = servers.map((s) => procStats(s.child.pid!).hwmMiB.toFixed(1)).join(', ');
    return `| ${processes === 1 ? 'one process' : 'two processes'} | ${scenario} | ${Math.round(a.rps + b.rps)} | ${Math.max(a.p99, b.p99).toFixed(1)} | ${a.non2xx}+${b.non2xx} | ${cpu} | ${rss} |`;
  } finally {
    for (const s of servers) await stop(s);
    await dropDatabase(values['pg-url'], RUN_DB);
  }
}

process.stdout.write('| set-up | scenario | req/s (both wrk) | p99 ms (worse wrk) | non-2xx | server CPU | peak RSS MiB |\n|---|---|---:|---:|---|---|---|\n');
for (let pass = 1; pass <= Number(values.passes); pass++) {
  for (const scenario of values.scenarios.split(',')) {
    const order: Array<1 | 2> = pass % 2 ? [1, 2] : [2, 1];
    for (const p of order) process.stdout.write(`${await run(p, scenario)}\n`);
  }
}
