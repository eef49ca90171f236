import type { Config } from '../config/config.js';
import { TemplateSet } from '../courier/template/load.js';
import { createLogger } from '../x/logger.js';
import { createCourierWorker, openDatabase } from './serve.js';

/**
 * `porta courier watch`: the courier worker alone (no HTTP servers), as Kratos's `kratos courier watch`.
 * SIGTERM/SIGINT let the message in hand finish, hand the rest of the batch back, then exit.
 */
export async function runCourierWatch(config: Config): Promise<void> {
  const logger = createLogger({ level: config.log.level, leakSensitiveValues: config.log.leakSensitiveValues, format: config.log.format });
  for (const w of config.warnings) logger.warn(w);
  const settings = config.courier;
  const templates = TemplateSet.load({ templates: settings.templates, overridePath: settings.templateOverridePath });
  const persister = await openDatabase(config, logger);
  let worker;
  try {
    worker = createCourierWorker(config, persister, templates, logger);
  } catch (err) {
    await persister.close();
    throw err;
  }
  worker.start();
  logger.info('courier worker started');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'courier worker stopping');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    worker
      .stop()
      .then(() => persister.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
