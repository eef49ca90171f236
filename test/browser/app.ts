import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { Config } from '../../src/config/config.js';
import { buildApp, type App } from '../../src/app.js';
import { openPersister } from '../../src/persistence/index.js';
import { createLogger } from '../../src/x/logger.js';
import { createPgDatabase } from '../helpers/pg.js';
import { referenceConfig, type Backend } from '../helpers/harness.js';

/**
 * Porta configured the way `npm start` serves it: the built-in UI on, and every UI URL of the config
 * pointing at it. The config depends on the public URL, so the ports are picked first.
 */
export function uiConfig(publicURL: string, adminURL: string): Record<string, any> {
  const cfg = referenceConfig(`${publicURL}/`, `${adminURL}/`);
  const ui = `${publicURL}/ui`;
  cfg.selfservice.default_browser_return_url = `${ui}/welcome`;
  cfg.selfservice.allowed_return_urls = [ui, 'https://www.example.org/'];
  cfg.selfservice.flows.login.ui_url = `${ui}/login`;
  cfg.selfservice.flows.registration.ui_url = `${ui}/registration`;
  cfg.selfservice.flows.error.ui_url = `${ui}/error`;
  cfg.selfservice.flows.logout.after.default_browser_return_url = `${ui}/login`;
  cfg.porta = { ui: { enabled: true } };
  return cfg;
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

export interface UiTestApp {
  app: App;
  backend: Backend;
  /** Without the trailing slash, e.g. http://127.0.0.1:41234 */
  publicURL: string;
  adminURL: string;
  close(): Promise<void>;
}

/** A full Porta on a fresh database, listening on loopback, with the UI config above. */
export async function startUiApp(backend: Backend): Promise<UiTestApp> {
  const publicURL = `http://127.0.0.1:${await freePort()}`;
  const adminURL = `http://127.0.0.1:${await freePort()}`;
  let dsn = 'memory';
  let drop = async () => {};
  if (backend === 'postgres') ({ dsn, drop } = await createPgDatabase());
  const config = Config.load({ values: { ...uiConfig(publicURL, adminURL), dsn }, env: {} });
  const logger = createLogger({ level: process.env.PORTA_TEST_LOG ?? 'silent', destination: process.env.PORTA_TEST_LOG ? undefined : new Writable({ write: (_c, _e, cb) => cb() }) });
  const persister = await openPersister(dsn, { logger, sqlite: { checkpointIntervalMs: 1000, walMaxPages: 4000 } });
  await persister.migrate();
  const app = await buildApp(config, persister, logger);
  await app.public.listen({ host: '127.0.0.1', port: Number(new URL(publicURL).port) });
  await app.admin.listen({ host: '127.0.0.1', port: Number(new URL(adminURL).port) });
  return {
    app,
    backend,
    publicURL,
    adminURL,
    close: async () => {
      await app.close();
      await drop();
    },
  };
}
