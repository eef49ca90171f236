import { DURATION_PATTERN } from './duration.js';
import { afterHooks, beforeHooks, clientsSchema, hookList, portaWebHookSchema } from './hooks-schema.js';

// One JSON Schema for every key Porta implements (a subset of Kratos's embedx/config.schema.json,
// plus Porta's own keys under `porta`). Keys outside it are warned about once and ignored.
const duration = { type: 'string', pattern: DURATION_PATTERN } as const;
const url = { type: 'string', minLength: 1 } as const;
const sameSite = { type: 'string', enum: ['Strict', 'Lax', 'None'] } as const;
const stringList = { type: 'array', items: { type: 'string' } } as const;
const secretList = { type: 'array', items: { type: 'string', minLength: 16 } } as const;

const server = (port: number) => ({
  type: 'object',
  properties: {
    base_url: url,
    host: { type: 'string', default: '' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: port },
  },
  default: {},
});

export const configSchema = {
  type: 'object',
  properties: {
    dsn: { type: 'string', minLength: 1 },
    dev: { type: 'boolean', default: false },
    serve: {
      type: 'object',
      default: {},
      properties: {
        public: {
          ...server(4433),
          properties: {
            ...server(4433).properties,
            cors: {
              type: 'object',
              default: {},
              properties: {
                enabled: { type: 'boolean', default: false },
                allowed_origins: { ...stringList, default: ['*'] },
                allowed_methods: { ...stringList, default: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
                allowed_headers: { ...stringList, default: ['Authorization', 'Content-Type', 'Cookie', 'X-Session-Token', 'X-CSRF-Token'] },
                exposed_headers: { ...stringList, default: ['Content-Type', 'Set-Cookie'] },
                allow_credentials: { type: 'boolean', default: true },
                max_age: { type: 'integer', minimum: 0, default: 0 },
                debug: { type: 'boolean', default: false },
              },
            },
          },
        },
        admin: server(4434),
      },
    },
    selfservice: {
      type: 'object',
      default: {},
      properties: {
        default_browser_return_url: url,
        allowed_return_urls: { ...stringList, default: [] },
        flows: {
          type: 'object',
          default: {},
          properties: {
            login: {
              type: 'object',
              default: {},
              properties: {
                ui_url: { ...url, default: 'https://www.ory.com/kratos/docs/fallback/login' },
                lifespan: { ...duration, default: '1h' },
                before: beforeHooks(),
                after: afterHooks(),
              },
            },
            registration: {
              type: 'object',
              default: {},
              properties: {
                enabled: { type: 'boolean', default: true },
                ui_url: { ...url, default: 'https://www.ory.com/kratos/docs/fallback/registration' },
                lifespan: { ...duration, default: '1h' },
                enable_legacy_one_step: { type: 'boolean' },
                before: beforeHooks(),
                after: afterHooks(),
              },
            },
            // settings, recovery and verification take `before: beforeHooks(), after: afterHooks()` when their
            // flows arrive; until then their keys stay "not implemented" warnings.
            error: {
              type: 'object',
              default: {},
              properties: { ui_url: { ...url, default: 'https://www.ory.com/kratos/docs/fallback/error' } },
            },
            logout: {
              type: 'object',
              default: {},
              properties: {
                // Empty means unset: Kratos falls back to selfservice.default_browser_return_url.
                // `hooks` is Porta's (web_hook only); Kratos refuses a file that has it.
                after: { type: 'object', properties: { default_browser_return_url: { type: 'string' }, hooks: hookList(['web_hook']) } },
                clear_browser_data: { type: 'boolean', default: false },
              },
            },
          },
        },
        methods: {
          type: 'object',
          default: {},
          properties: {
            password: {
              type: 'object',
              default: {},
              properties: {
                enabled: { type: 'boolean', default: true },
                config: {
                  type: 'object',
                  default: {},
                  properties: {
                    min_password_length: { type: 'integer', minimum: 6, default: 8 },
                    identifier_similarity_check_enabled: { type: 'boolean', default: true },
                    haveibeenpwned_enabled: { type: 'boolean', default: false },
                    haveibeenpwned_host: { type: 'string' },
                    ignore_network_errors: { type: 'boolean' },
                    max_breaches: { type: 'integer' },
                  },
                },
              },
            },
          },
        },
      },
    },
    session: {
      type: 'object',
      default: {},
      properties: {
        lifespan: { ...duration, default: '24h' },
        earliest_possible_extend: duration,
        cookie: {
          type: 'object',
          default: {},
          properties: {
            name: { type: 'string', minLength: 1, default: 'ory_kratos_session' },
            domain: { type: 'string' },
            path: { type: 'string' },
            same_site: sameSite,
            secure: { type: ['boolean', 'string'], enum: [true, false, 'true', 'false'] },
            persistent: { type: 'boolean', default: true },
          },
        },
        whoami: {
          type: 'object',
          default: {},
          properties: { required_aal: { type: 'string', enum: ['aal1', 'highest_available'], default: 'highest_available' } },
        },
      },
    },
    cookies: {
      type: 'object',
      default: {},
      properties: {
        domain: { type: 'string' },
        path: { type: 'string', default: '/' },
        same_site: { ...sameSite, default: 'Lax' },
        secure: { type: 'boolean' },
      },
    },
    secrets: {
      type: 'object',
      default: {},
      properties: { default: secretList, cookie: secretList },
    },
    identity: {
      type: 'object',
      default: {},
      properties: {
        default_schema_id: { type: 'string', minLength: 1, default: 'default' },
        schemas: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'url'],
            properties: { id: { type: 'string', minLength: 1 }, url: { type: 'string', minLength: 1 } },
          },
        },
      },
    },
    hashers: {
      type: 'object',
      default: {},
      properties: {
        algorithm: { type: 'string', enum: ['argon2', 'bcrypt'], default: 'argon2' },
        argon2: {
          type: 'object',
          default: {},
          properties: {
            memory: { type: ['string', 'integer'], default: '19MiB' },
            iterations: { type: 'integer', minimum: 1, default: 2 },
            parallelism: { type: 'integer', minimum: 1, default: 1 },
            salt_length: { type: 'integer', minimum: 16, default: 16 },
            key_length: { type: 'integer', minimum: 16, default: 32 },
            expected_duration: duration,
            expected_deviation: duration,
            dedicated_memory: { type: ['string', 'integer'] },
          },
        },
        bcrypt: {
          type: 'object',
          default: {},
          properties: { cost: { type: 'integer', minimum: 4, maximum: 31, default: 12 } },
        },
      },
    },
    log: {
      type: 'object',
      default: {},
      properties: {
        level: { type: 'string', enum: ['trace', 'debug', 'info', 'warning', 'warn', 'error', 'fatal', 'panic'], default: 'info' },
        format: { type: 'string', enum: ['json', 'text'], default: 'json' },
        leak_sensitive_values: { type: 'boolean', default: false },
      },
    },
    clients: clientsSchema,
    porta: {
      type: 'object',
      default: {},
      properties: {
        web_hook: portaWebHookSchema(duration),
        ui: {
          type: 'object',
          default: {},
          properties: { enabled: { type: 'boolean', default: true } },
        },
        admin: {
          type: 'object',
          default: {},
          properties: {
            // Bearer tokens for the admin API (RFC 6750 token characters, so any key fits a header as is).
            api_keys: { type: 'array', default: [], items: { type: 'string', minLength: 16, maxLength: 512, pattern: '^[A-Za-z0-9._~+/=-]+$' } },
          },
        },
        sqlite: {
          type: 'object',
          default: {},
          properties: {
            checkpoint_interval: { ...duration, default: '1s' },
            wal_max_pages: { type: 'integer', minimum: 100, default: 4000 },
          },
        },
      },
    },
  },
} as const;
