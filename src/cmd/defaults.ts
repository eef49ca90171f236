import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ASSETS = fileURLToPath(new URL('../../assets/', import.meta.url));

/** The bundled identity schema (email + password), as a file:// URL. */
export const DEFAULT_SCHEMA_URL = `file://${join(ASSETS, 'identity.default.schema.json')}`;

/**
 * The embedded configuration of `npm start`: SQLite under ./.porta/, dev mode, public 127.0.0.1:4433 with
 * the built-in UI, admin 127.0.0.1:4434. The secret is generated once and kept in ./.porta/ so that
 * sessions survive restarts.
 */
export function embeddedDefaults(dataDir = resolve('.porta')): Record<string, unknown> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secretFile = join(dataDir, 'secret');
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
  const secret = readFileSync(secretFile, 'utf8').trim();
  const pub = 'http://127.0.0.1:4433';
  return {
    dsn: `sqlite://${join(dataDir, 'porta.sqlite')}?_fk=true`,
    dev: true,
    serve: {
      public: { base_url: `${pub}/`, host: '127.0.0.1', port: 4433 },
      admin: { base_url: 'http://127.0.0.1:4434/', host: '127.0.0.1', port: 4434 },
    },
    selfservice: {
      default_browser_return_url: `${pub}/ui/welcome`,
      allowed_return_urls: [`${pub}/ui`],
      flows: {
        login: { ui_url: `${pub}/ui/login` },
        registration: {
          ui_url: `${pub}/ui/registration`,
          // Kratos's quickstart order: the session first, then the browser goes on to the verification page.
          after: { password: { hooks: [{ hook: 'session' }, { hook: 'show_verification_ui' }] } },
        },
        // Codes go to the dev mailbox (dev mode without courier.smtp.connection_uri), shown at /ui/dev/mailbox.
        verification: { enabled: true, use: 'code', ui_url: `${pub}/ui/verification` },
        error: { ui_url: `${pub}/ui/error` },
        // As Kratos's quickstart; a changed password ends every other session (ASVS 5.0 V7.4.3), which
        // Kratos leaves opt-in: a Kratos config file keeps its own meaning.
        settings: {
          ui_url: `${pub}/ui/settings`,
          privileged_session_max_age: '15m',
          after: { password: { hooks: [{ hook: 'revoke_active_sessions' }] } },
        },
        logout: { after: { default_browser_return_url: `${pub}/ui/login` } },
        // Recovery by a mailed code, landing on the settings page; the recovered session ends every other
        // session of the identity (Kratos leaves this hook opt-in).
        recovery: { enabled: true, use: 'code', ui_url: `${pub}/ui/recovery`, after: { hooks: [{ hook: 'revoke_active_sessions' }] } },
      },
    },
    identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: DEFAULT_SCHEMA_URL }] },
    secrets: { default: [secret] },
    // A person at a terminal reads these; `serve -c` keeps Kratos's JSON default.
    log: { format: 'text' },
  };
}
