import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A private PostgreSQL cluster for fault tests that stop and start the database server. The shared
 * cluster (PORTA_TEST_PG_URL) serves every other test at the same time, so it is never restarted; this
 * one lives in a temp dir, on its own port, and only its own test talks to it.
 *
 * PostgreSQL refuses to run as root, and CI runs as root: then every server binary runs as the
 * `postgres` OS user (runuser), on a directory handed over to that user.
 */

const PG_ROOT = '/usr/lib/postgresql';

/** The bin directory of the newest PostgreSQL installed the Debian way, or undefined. */
export function postgresBinDir(): string | undefined {
  if (!existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => existsSync(join(PG_ROOT, v, 'bin', 'initdb')) && existsSync(join(PG_ROOT, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions.length ? join(PG_ROOT, versions[0], 'bin') : undefined;
}

/** Skip reason for suites that need a private cluster; with CI=true a missing binary fails instead. */
export const PRIVATE_PG_SKIP: string | false =
  postgresBinDir() || process.env.CI === 'true' ? false : `no PostgreSQL server binaries under ${PG_ROOT}`;

export interface PrivateCluster {
  port: number;
  /** A DSN for the `postgres` database over TCP, trust authentication. */
  url: string;
  dir: string;
  /** pg_ctl stop: `immediate` is a crash (no checkpoint, clients cut), `fast` a clean shutdown (57P01 to clients). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** pg_ctl start on the same data directory and port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops (immediate) and removes the directory. */
  destroy(): void;
}

const live = new Set<PrivateCluster>();
process.on('exit', () => {
  for (const c of live) c.destroy();
});

async function freePort(): Promise<number> {
  for (;;) {
    // Below the ephemeral range, so an outgoing connection cannot take it before the postmaster binds.
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const ok = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

function asPostgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const res = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (res.status !== 0 || gid.status !== 0) throw new Error('running as root needs a `postgres` OS user to run PostgreSQL as');
  return { uid: Number(res.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** initdb + pg_ctl start on a free port; trust authentication on 127.0.0.1 only. */
export async function startPrivateCluster(): Promise<PrivateCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(`PostgreSQL server binaries not found under ${PG_ROOT} (scripts/ci-postgres.sh installs them)`);
  const owner = asPostgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'porta-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');

  // Asynchronous, so that a test's request load keeps running while the server stops and starts.
  const run = async (cmd: string, args: string[], timeoutMs = 60_000) => {
    const argv = owner ? ['runuser', '-u', 'postgres', '--', join(bin, cmd), ...args] : [join(bin, cmd), ...args];
    try {
      await promisify(execFile)(argv[0], argv.slice(1), { encoding: 'utf8', timeout: timeoutMs, cwd: dir });
    } catch (err) {
      const e = err as { code?: unknown; stdout?: string; stderr?: string };
      const serverLog = existsSync(log) ? readFileSync(log, 'utf8').slice(-4000) : '';
      throw new Error(`${cmd} ${args.join(' ')} failed (${String(e.code)}):\n${e.stdout ?? ''}\n${e.stderr ?? ''}\n${serverLog}`, { cause: err });
    }
  };

  await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  let port = await freePort();
  // fsync off: a stop is a process crash at worst, never a power cut, so every committed transaction is
  // still in the OS's page cache; synchronous_commit stays on, so a commit that was acknowledged is in the WAL.
  const options = () =>
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60 -c shared_buffers=16MB`;
  const cluster: PrivateCluster = {
    get port() {
      return port;
    },
    get url() {
      return `postgres://postgres@127.0.0.1:${port}/postgres`;
    },
    dir,
    async stop(mode = 'fast') {
      await run('pg_ctl', ['stop', '-D', data, '-m', mode, '-w', '-t', '30']);
    },
    async start() {
      await run('pg_ctl', ['start', '-D', data, '-l', log, '-w', '-t', '30', '-o', options()]);
    },
    destroy() {
      if (!live.delete(cluster)) return;
      spawnSync(owner ? 'runuser' : join(bin, 'pg_ctl'), [...(owner ? ['-u', 'postgres', '--', join(bin, 'pg_ctl')] : []), 'stop', '-D', data, '-m', 'immediate', '-w', '-t', '10'], {
        timeout: 15_000,
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(cluster);
  for (let attempt = 1; ; attempt++) {
    try {
      await cluster.start();
      break;
    } catch (err) {
      // The port was taken between the check and the postmaster's bind: try another.
      if (attempt >= 3 || !/already in use|could not (bind|create)/i.test(String(err))) {
        cluster.destroy();
        throw err;
      }
      port = await freePort();
    }
  }
  return cluster;
}

/** Creates an empty database on the cluster and returns its DSN. */
export async function createDatabaseOn(cluster: PrivateCluster, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const c = new pg.Client({ connectionString: cluster.url });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}
