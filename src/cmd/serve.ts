import type { Config } from '../config/config.js';
import { buildApp, type App } from '../app.js';
import { openPersister } from '../persistence/index.js';
import { lowerThreadPoolPriority } from '../hash/priority.js';
import { createLogger } from '../x/logger.js';
import type { Logger } from 'pino';
import type { Persister } from '../persistence/types.js';
import { CourierWorker } from '../courier/worker.js';
import { createSender, DEV_MAILBOX_PATH, DevMailboxSender, NoSmtpError } from '../courier/sender.js';
import type { TemplateSet } from '../courier/template/load.js';

export class StartupError extends Error {}

export interface Running {
  app: App;
  /** With --watch-courier: the in-process courier worker, stopped before the servers close. */
  worker?: CourierWorker;
  publicURL: string;
  adminURL: string;
}

/** Opens the database: migrates SQLite, refuses a PostgreSQL schema that is behind. */
export async function openDatabase(config: Config, logger: Logger): Promise<Persister> {
  const persister = await openPersister(config.dsn, {
    logger,
    sqlite: { checkpointIntervalMs: config.sqliteCheckpointIntervalMs, walMaxPages: config.sqliteWalMaxPages },
    serving: true,
  });
  try {
    if (persister.dialect === 'sqlite') {
      await persister.migrate();
    } else {
      const status = await persister.migrationStatus();
      if (status.pending.length > 0) {
        throw new StartupError(
          `the PostgreSQL schema is behind: ${status.pending.length} migration(s) pending (${status.pending.join(', ')}). ` +
            'Apply them with `porta migrate sql -e --yes` (DSN from the environment) or `porta migrate sql <DSN> --yes`.',
        );
      }
    }
  } catch (err) {
    await persister.close();
    throw err;
  }
  return persister;
}

/** Where the dev mailbox page answers (dev mode with the built-in UI). */
export function devMailboxURL(config: Config): string {
  return `${config.publicBaseURL.href.replace(/\/$/, '')}${DEV_MAILBOX_PATH}`;
}

export function createCourierWorker(config: Config, persister: Persister, templates: TemplateSet, logger: Logger): CourierWorker {
  const settings = config.courier;
  let sender;
  try {
    sender = createSender({ dev: config.dev, settings });
  } catch (err) {
    if (err instanceof NoSmtpError) throw new StartupError(err.message);
    throw err;
  }
  if (sender instanceof DevMailboxSender) {
    logger.info(`dev mailbox: ${devMailboxURL(config)} (dev mode without courier.smtp.connection_uri: no mail leaves this machine)`);
  }
  return new CourierWorker({ store: persister.courier, templates, settings, sender, logger });
}

/** Opens the database, builds and listens; with `watchCourier` also runs the courier worker in-process. */
export async function startServer(config: Config, opts: { watchCourier?: boolean } = {}): Promise<Running> {
  const logger = createLogger({ level: config.log.level, leakSensitiveValues: config.log.leakSensitiveValues, format: config.log.format });
  for (const w of config.warnings) logger.warn(w);
  await lowerThreadPoolPriority(config.hashingNice, (msg) => logger.warn(msg));
  const persister = await openDatabase(config, logger);
  let app: App;
  try {
    app = await buildApp(config, persister, logger);
  } catch (err) {
    // A refused config (a bad template override) must not leave the database and its checkpointer open.
    await persister.close();
    throw err;
  }
  let worker: CourierWorker | undefined;
  if (opts.watchCourier) {
    try {
      worker = createCourierWorker(config, persister, app.registry.courier.templates, logger);
    } catch (err) {
      await app.close();
      throw err;
    }
  }
  const pub = config.publicListen;
  const adm = config.adminListen;
  await app.public.listen({ host: pub.host || '0.0.0.0', port: pub.port });
  // adminListen is loopback unless serve.admin.host is set (the Config warns about a non-loopback one).
  await app.admin.listen({ host: adm.host, port: adm.port });
  worker?.start();
  return { app, worker, publicURL: config.publicBaseURL.href, adminURL: config.adminBaseURL.href };
}

/** Graceful shutdown: in-flight requests finish, the database closes, then the process exits. */
export function closeOnSignals(running: Running): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    running.app.registry.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    // Without a worker the servers start closing right here, in the signal handler, as before.
    const worker = running.worker;
    (worker ? worker.stop().then(() => running.app.close()) : running.app.close()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
