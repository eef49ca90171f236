import type { Config } from '../config/config.js';
import { buildApp, type App } from '../app.js';
import { openPersister } from '../persistence/index.js';
import { createLogger } from '../x/logger.js';

export class StartupError extends Error {}

export interface Running {
  app: App;
  publicURL: string;
  adminURL: string;
}

/** Opens the database (migrating SQLite; refusing a PostgreSQL schema that is behind), builds and listens. */
export async function startServer(config: Config): Promise<Running> {
  const logger = createLogger({ level: config.log.level, leakSensitiveValues: config.log.leakSensitiveValues, format: config.log.format });
  for (const w of config.warnings) logger.warn(w);
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
  const app = await buildApp(config, persister, logger);
  const pub = config.publicListen;
  const adm = config.adminListen;
  await app.public.listen({ host: pub.host || '0.0.0.0', port: pub.port });
  // adminListen is loopback unless serve.admin.host is set (the Config warns about a non-loopback one).
  await app.admin.listen({ host: adm.host, port: adm.port });
  return { app, publicURL: config.publicBaseURL.href, adminURL: config.adminBaseURL.href };
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
    running.app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
