import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { describe } from 'node:test';
import { Config } from '../../src/config/config.js';
import { buildApp, type App, type AppOptions } from '../../src/app.js';
import { openPersister } from '../../src/persistence/index.js';
import { createLogger } from '../../src/x/logger.js';
import { deepMerge } from '../../src/x/merge.js';
import { referenceConfig } from './reference.js';

export { EMAIL_SCHEMA_URL, TEST_SECRET, referenceConfig } from './reference.js';
import { createPgDatabase, postgresAvailable, postgresRequired } from './pg.js';

export type Backend = 'sqlite' | 'postgres';


/**
 * Runs `fn` once per storage backend as its own describe block. PostgreSQL runs when
 * PORTA_TEST_PG_URL is set; with CI=true it always runs (and fails without a server).
 */
export function forEachBackend(name: string, fn: (backend: Backend) => void): void {
  const list: Backend[] = ['sqlite'];
  if (postgresAvailable() || postgresRequired()) list.push('postgres');
  for (const backend of list) describe(`${name} [${backend}]`, () => fn(backend));
  if (!postgresAvailable() && !postgresRequired()) describe(`${name} [postgres]`, { skip: 'PORTA_TEST_PG_URL is not set' }, () => {});
}



async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface TestApp {
  app: App;
  config: Config;
  backend: Backend;
  dsn: string;
  /** Base URLs without the trailing slash, e.g. http://localhost:4433 */
  publicURL: string;
  adminURL: string;
  close(): Promise<void>;
}

export interface StartOptions {
  backend?: Backend;
  /** Deep-merged over referenceConfig(). */
  config?: Record<string, any>;
  /** Listen on real loopback ports (needed for @ory/client and browsers); base URLs follow the ports. */
  listen?: boolean;
  /** Reuse an existing database (e.g. two apps on one PostgreSQL). */
  dsn?: string;
  /** The config to start from, given the base URLs (no trailing slash); referenceConfig by default. */
  baseConfig?: (publicURL: string, adminURL: string) => Record<string, any>;
  /** Plug-ins added to the built-in ones (e.g. a test-only self-service method). */
  appOptions?: AppOptions;
}

const silent = new Writable({ write: (_c, _e, cb) => cb() });

/** Builds a full Porta app on a fresh database of the chosen backend, migrated, optionally listening. */
export async function startApp(opts: StartOptions = {}): Promise<TestApp> {
  const backend = opts.backend ?? 'sqlite';
  let publicURL = 'http://localhost:4433/';
  let adminURL = 'http://localhost:4434/';
  let ports: [number, number] | undefined;
  if (opts.listen) {
    ports = [await freePort(), await freePort()];
    publicURL = `http://127.0.0.1:${ports[0]}/`;
    adminURL = `http://127.0.0.1:${ports[1]}/`;
  }
  let dsn = opts.dsn ?? 'memory';
  let drop = async () => {};
  if (!opts.dsn && backend === 'postgres') {
    const db = await createPgDatabase();
    dsn = db.dsn;
    drop = db.drop;
  }
  const base = opts.baseConfig
    ? opts.baseConfig(publicURL.replace(/\/$/, ''), adminURL.replace(/\/$/, ''))
    : referenceConfig(publicURL, adminURL);
  const values = deepMerge(deepMerge(base, opts.config ?? {}), { dsn });
  const config = Config.load({ values, env: {} });
  const logger = createLogger({ level: process.env.PORTA_TEST_LOG ?? 'silent', destination: process.env.PORTA_TEST_LOG ? undefined : silent });
  const persister = await openPersister(dsn, { logger, sqlite: { checkpointIntervalMs: 1000, walMaxPages: 4000 } });
  await persister.migrate();
  const app = await buildApp(config, persister, logger, opts.appOptions);
  if (ports) {
    await app.public.listen({ host: '127.0.0.1', port: ports[0] });
    await app.admin.listen({ host: '127.0.0.1', port: ports[1] });
  }
  return {
    app,
    config,
    backend,
    dsn,
    publicURL: publicURL.replace(/\/$/, ''),
    adminURL: adminURL.replace(/\/$/, ''),
    close: async () => {
      await app.close();
      await drop();
    },
  };
}
