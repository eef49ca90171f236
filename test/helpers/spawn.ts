import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe } from 'node:test';
import { stringify as toYaml } from 'yaml';
import { createPgDatabase, postgresAvailable, postgresRequired } from './pg.js';
import { deepMerge } from '../../src/x/merge.js';
import { referenceConfig } from './reference.js';

export { EMAIL_SCHEMA_URL, TEST_SECRET } from './reference.js';

/** Real `porta` processes for end-to-end tests: the built dist/, a Kratos-format YAML file, real ports. */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PORTA_BIN = join(ROOT, 'bin', 'porta.js');

type Json = Record<string, any>;
export type Backend = 'sqlite' | 'postgres';

// Same values as harness.ts, repeated so that e2e tests never load the app in-process.

/** Skip reason for PostgreSQL-only suites (with CI=true PostgreSQL is required, never skipped). */
export const PG_SKIP: string | false = !postgresAvailable() && !postgresRequired() ? 'PORTA_TEST_PG_URL is not set' : false;

/** Runs `fn` as one describe block per backend (PostgreSQL skipped only outside CI without a server). */
export function forEachSpawnBackend(name: string, fn: (backend: Backend) => void): void {
  describe(`${name} [sqlite]`, () => fn('sqlite'));
  describe(`${name} [postgres]`, { skip: PG_SKIP }, () => fn('postgres'));
}

/**
 * A free loopback port below the kernel's ephemeral range (32768+ here), so that the port cannot be
 * taken by an outgoing connection between this check and the child's bind; spawnPorta also retries.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const ok = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

const tempDirs: string[] = [];
/** A temp directory removed when the test process exits. */
export function tempDir(prefix = 'porta-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

const children = new Set<ChildProcess>();
// A failing test must not leave servers behind: their pipes would keep this test file's process alive
// (and hold ports and PostgreSQL databases). After the file's last test, whatever is left is killed.
after(() => {
  for (const c of children) c.kill('SIGKILL');
});
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

/**
 * The environment a child sees: ours, minus anything the Kratos-style env overrides would read as
 * config (DSN, SERVE_PUBLIC_PORT, LOG_LEVEL, ...), so the test's file is the only source.
 */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const overrides = /^(DSN|DEV|SERVE|SELFSERVICE|SESSION|COOKIES|SECRETS|IDENTITY|HASHERS|LOG|PORTA)(_|$)/;
  for (const [k, v] of Object.entries(process.env)) if (!overrides.test(k)) env[k] = v;
  return { ...env, NODE_ENV: 'production', ...extra };
}

export { deepMerge };

/** The in-process tests' reference environment (test/helpers/harness.ts), bound to real loopback ports. */
export function e2eConfig(dsn: string, publicPort: number, adminPort: number): Json {
  return deepMerge(referenceConfig(`http://127.0.0.1:${publicPort}/`, `http://127.0.0.1:${adminPort}/`), {
    dsn,
    serve: { public: { host: '127.0.0.1', port: publicPort }, admin: { host: '127.0.0.1', port: adminPort } },
    log: { level: 'warn' },
  });
}

export function writeConfig(dir: string, values: Json, name = 'config.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, name.endsWith('.json') ? JSON.stringify(values) : toYaml(values));
  return file;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a one-shot `porta ...` command to completion (bounded by timeoutMs). */
export async function runPorta(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
  const p = startPorta(args, { cwd: opts.cwd ?? ROOT, env: opts.env });
  const timer = setTimeout(() => p.child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
  const res = await p.exited;
  clearTimeout(timer);
  return res;
}

export interface Database {
  dsn: string;
  drop(): Promise<void>;
}

/**
 * A fresh database: a SQLite file in `dir` (serve migrates it), or a throwaway PostgreSQL database,
 * migrated with `porta migrate sql <dsn> --yes` unless `migrate: false`.
 */
export async function prepareDatabase(backend: Backend, dir: string, opts: { migrate?: boolean } = {}): Promise<Database> {
  if (backend === 'sqlite') return { dsn: `sqlite://${join(dir, 'porta.sqlite')}?_fk=true`, drop: async () => {} };
  const db = await createPgDatabase();
  if (opts.migrate !== false) {
    const res = await runPorta(['migrate', 'sql', db.dsn, '--yes'], { timeoutMs: 60_000 });
    if (res.code !== 0) {
      await db.drop();
      throw new Error(`porta migrate sql failed (${res.code}):\n${res.stdout}\n${res.stderr}`);
    }
  }
  return db;
}

export interface SpawnOptions {
  backend?: Backend;
  /** Use this database instead of creating one (two processes on one PostgreSQL). */
  database?: Database;
  /** Deep-merged over e2eConfig(). */
  config?: Json;
  env?: Record<string, string>;
  /** Extra CLI arguments after `serve -c FILE`. */
  args?: string[];
  readyTimeoutMs?: number;
}

export interface PortaProcess {
  child: ChildProcess;
  dir: string;
  configFile: string;
  database: Database;
  /** Base URLs without the trailing slash. */
  publicURL: string;
  adminURL: string;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, wait for exit; throws unless the exit was clean (code 0). Drops a database it created. */
  stop(): Promise<RunResult>;
  /** Resolves when the process exits (for tests that expect it to). */
  exited: Promise<RunResult>;
}

export async function waitReady(url: string, exited: Promise<RunResult>, timeoutMs: number, output: () => string): Promise<void> {
  let done: RunResult | undefined;
  void exited.then((r) => (done = r));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (done) throw new Error(`porta exited with ${done.code ?? done.signal} before it was ready:\n${output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`porta was not ready within ${timeoutMs} ms:\n${output()}`);
}

export interface Started {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<RunResult>;
}

/** Starts `porta ARGS...` in the background, capturing its output. */
export function startPorta(args: string[], opts: { cwd: string; env?: Record<string, string> }): Started {
  const child = spawn(process.execPath, [PORTA_BIN, ...args], { cwd: opts.cwd, env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<RunResult>((resolve) => {
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** SIGTERM and wait (SIGKILL after 15 s, which then fails the caller's exit-code check). */
export async function terminate(p: Started): Promise<RunResult> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
  const res = await p.exited;
  clearTimeout(timer);
  return res;
}

/** Starts `porta serve -c <dir>/config.yaml` on free loopback ports and waits for /health/ready. */
export async function spawnPorta(opts: SpawnOptions = {}): Promise<PortaProcess> {
  const dir = tempDir();
  const database = opts.database ?? (await prepareDatabase(opts.backend ?? 'sqlite', dir));
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOnce(opts, dir, database, !opts.database);
    } catch (err) {
      // Another process took a port between the check and the bind: pick new ports.
      if (attempt < 3 && /EADDRINUSE/.test(String(err))) continue;
      if (!opts.database) await database.drop();
      throw err;
    }
  }
}

async function spawnOnce(opts: SpawnOptions, dir: string, database: Database, ownDb: boolean): Promise<PortaProcess> {
  const [pub, adm] = [await freePort(), await freePort()];
  const configFile = writeConfig(dir, deepMerge(e2eConfig(database.dsn, pub, adm), opts.config ?? {}));
  const started = startPorta(['serve', '-c', configFile, ...(opts.args ?? [])], { cwd: dir, env: opts.env });
  const { child, exited } = started;
  const output = () => `${started.stdout()}\n${started.stderr()}`;
  const publicURL = `http://127.0.0.1:${pub}`;
  try {
    await waitReady(`${publicURL}/health/ready`, exited, opts.readyTimeoutMs ?? 20_000, output);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
  return {
    child,
    dir,
    configFile,
    database,
    publicURL,
    adminURL: `http://127.0.0.1:${adm}`,
    stdout: started.stdout,
    stderr: started.stderr,
    exited,
    async stop() {
      const res = await terminate(started);
      if (ownDb) await database.drop();
      if (res.code !== 0) throw new Error(`porta did not shut down cleanly (${res.code ?? res.signal}):\n${res.stderr}`);
      return res;
    },
  };
}
