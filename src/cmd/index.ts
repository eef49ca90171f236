import { Command } from 'commander';
import { Config } from '../config/config.js';
import { ConfigError } from '../config/load.js';
import { VERSION } from '../version.js';
import { closeOnSignals, devMailboxURL, startServer, StartupError } from './serve.js';
import { embeddedDefaults } from './defaults.js';
import { runMigrateSql } from './migrate.js';
import { runCleanupSql } from './cleanup.js';
import { runCourierWatch } from './courier.js';

function fail(err: unknown): never {
  const known = err instanceof ConfigError || err instanceof StartupError;
  process.stderr.write(`porta: ${known ? (err as Error).message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}

async function loadConfigFiles(files: string[], dev?: boolean): Promise<Config> {
  if (files.length <= 1) return Config.load({ file: files[0], dev });
  const { readConfigFile } = await import('../config/load.js');
  const values = files.slice(0, -1).reduce<Record<string, unknown>>((acc, f) => ({ ...acc, ...readConfigFile(f) }), {});
  return Config.load({ values, file: files[files.length - 1], dev });
}

async function serveWith(config: Config, banner: boolean, watchCourier = false): Promise<void> {
  const running = await startServer(config, { watchCourier });
  closeOnSignals(running);
  const pub = running.publicURL.replace(/\/$/, '');
  const lines = [`Porta ${VERSION} is serving`, `  public API: ${pub}/`, `  admin API:  ${running.adminURL}`];
  if (config.uiEnabled) lines.splice(1, 0, `  open the UI: ${pub}/ui/`);
  // The mailbox page exists in dev mode only: it shows every queued code to whoever can reach the public port.
  if (config.uiEnabled && config.dev) lines.splice(2, 0, `  dev mailbox: ${devMailboxURL(config)}`);
  if (banner) process.stdout.write(`${lines.join('\n')}\n`);
}

const program = new Command('porta').description('Self-service identity and session server, wire-compatible with Ory Kratos').version(VERSION, '-v, --version');

program
  .command('serve')
  .description('Serve the public and admin APIs with a Kratos-format config file (YAML or JSON)')
  .option('-c, --config <file...>', 'config file(s); later files override earlier ones')
  .option('--dev', 'development mode: cookies without Secure, http base URLs')
  .option('--watch-courier', 'also run the courier worker in this process (delivers queued mail)')
  .action(async (opts: { config?: string[]; dev?: boolean; watchCourier?: boolean }) => {
    try {
      await serveWith(await loadConfigFiles(opts.config ?? [], opts.dev), true, opts.watchCourier === true);
    } catch (err) {
      fail(err);
    }
  });

const courier = program.command('courier').description('The courier: delivery of queued messages');
courier
  .command('watch')
  .description('Run the courier worker alone: claim queued messages and deliver them over SMTP')
  .option('-c, --config <file...>', 'config file(s); later files override earlier ones')
  .option('--dev', 'development mode')
  .action(async (opts: { config?: string[]; dev?: boolean }) => {
    try {
      await runCourierWatch(await loadConfigFiles(opts.config ?? [], opts.dev));
    } catch (err) {
      fail(err);
    }
  });

program
  .command('start')
  .description('Serve with the embedded defaults (SQLite under ./.porta, dev mode, built-in UI, mail to the dev mailbox)')
  .action(async () => {
    try {
      // The courier runs in-process so that verification mail reaches the dev mailbox (or SMTP, if configured).
      await serveWith(Config.load({ values: embeddedDefaults() }), true, true);
    } catch (err) {
      fail(err);
    }
  });

const migrate = program.command('migrate').description('Database schema migrations');
migrate
  .command('sql')
  .description('Apply the SQL migrations to the database named by DSN, -e, or the config file')
  .argument('[dsn]', 'database DSN (sqlite://..., postgres://...)')
  .option('-e, --read-from-env', 'read the DSN from the DSN environment variable')
  .option('-y, --yes', 'apply without asking')
  .option('-c, --config <file...>', 'config file(s) to read the DSN from')
  .action(async (dsn: string | undefined, opts: { readFromEnv?: boolean; yes?: boolean; config?: string[] }) => {
    try {
      process.exitCode = await runMigrateSql({ dsn, readFromEnv: opts.readFromEnv, yes: opts.yes, configFiles: opts.config });
    } catch (err) {
      fail(err);
    }
  });

const cleanup = program.command('cleanup').description('Delete expired data');
cleanup
  .command('sql')
  .description('Delete expired sessions, flows and error containers in small batches')
  .argument('[dsn]', 'database DSN')
  .option('-e, --read-from-env', 'read the DSN from the DSN environment variable')
  .option('-c, --config <file...>', 'config file(s) to read the DSN from')
  .option('--keep-last <duration>', 'keep data that expired less than this long ago (e.g. 24h)', '0s')
  .option('--batch-size <n>', 'rows per batch', (v) => Number.parseInt(v, 10), 100)
  .action(async (dsn: string | undefined, opts: { readFromEnv?: boolean; config?: string[]; keepLast: string; batchSize: number }) => {
    try {
      process.exitCode = await runCleanupSql({ dsn, readFromEnv: opts.readFromEnv, configFiles: opts.config, keepLast: opts.keepLast, batchSize: opts.batchSize });
    } catch (err) {
      fail(err);
    }
  });

program
  .command('version')
  .description('Print the version')
  .action(() => {
    process.stdout.write(`${VERSION}\n`);
  });

await program.parseAsync(process.argv);
