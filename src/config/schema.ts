import { DURATION_PATTERN } from './duration.js';
import { beforeHooks, clientsSchema, hookList, logoutHookList, portaWebHookSchema } from './hooks-schema.js';

// One JSON Schema for every key Porta implements (a subset of Kratos's embedx/config.schema.json,
// plus Porta's own keys under `porta`). Keys outside it are warned about once and ignored.
const duration = { type: 'string', pattern: DURATION_PATTERN } as const;
const url = { type: 'string', minLength: 1 } as const;
const sameSite = { type: 'string', enum: ['Strict', 'Lax', 'None'] } as const;
const stringList = { type: 'array', items: { type: 'string' } } as const;
const secretList = { type: 'array', items: { type: 'string', minLength: 16 } } as const;

const afterMethod = { type: 'object', properties: { default_browser_return_url: url, hooks: hookList } } as const;

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
                before: beforeHooks,
                after: {
                  type: 'object',
                  properties: {
                    default_browser_return_url: url,
                    hooks: hookList,
                    password: afterMethod,
                  },
                },
              },
            },
            settings: {
              type: 'object',
              default: {},
              properties: {
                ui_url: { ...url, default: 'https://www.ory.com/kratos/docs/fallback/settings' },
                lifespan: { ...duration, default: '1h' },
                before: beforeHooks,
                privileged_session_max_age: { ...duration, default: '1h' },
                required_aal: { type: 'string', enum: ['aal1', 'highest_available'], default: 'highest_available' },
                after: {
                  type: 'object',
                  properties: { default_browser_return_url: url, hooks: hookList, password: afterMethod, profile: afterMethod },
                },
              },
            },
            registration: {
              type: 'object',
              default: {},
              properties: {
                enabled: { type: 'boolean', default: true },
                ui_url: { ...url, default: 'https://www.ory.com/kratos/docs/fallback/registration' },
                lifespan: { ...duration, default: '1h' },
                before: beforeHooks,
                enable_legacy_one_step: { type: 'boolean' },
                after: {
                  type: 'object',
                  properties: {
                    default_browser_return_url: url,
                    hooks: hookList,
                    password: afterMethod,
                  },
                },
              },
            },
            verification: {
              type: 'object',
              default: {},
              properties: {
                enabled: { type: 'boolean', default: false },
                ui_url: { ...url, default: 'https://www.ory.com/kratos/docs/fallback/verification' },
                lifespan: { ...duration, default: '1h' },
                use: { type: 'string', enum: ['code'], default: 'code' },
                notify_unknown_recipients: { type: 'boolean', default: false },
                before: beforeHooks,
                after: { type: 'object', properties: { default_browser_return_url: url, hooks: hookList } },
              },
            },
            recovery: {
              type: 'object',
              default: {},
              properties: {
                enabled: { type: 'boolean', default: false },
                ui_url: { ...url, default: 'https://www.ory.com/kratos/docs/fallback/recovery' },
                lifespan: { ...duration, default: '1h' },
                // Only the code method is implemented: `link` stops start-up naming this key.
                use: { type: 'string', enum: ['code'], default: 'code' },
                notify_unknown_recipients: { type: 'boolean', default: false },
                before: beforeHooks,
                after: { type: 'object', properties: { default_browser_return_url: url, hooks: hookList } },
              },
            },
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
                after: { type: 'object', properties: { default_browser_return_url: { type: 'string' }, hooks: logoutHookList } },
                clear_browser_data: { type: 'boolean', default: false },
              },
            },
          },
        },
        methods: {
          type: 'object',
          default: {},
          properties: {
            profile: { type: 'object', default: {}, properties: { enabled: { type: 'boolean', default: true } } },
            code: {
              type: 'object',
              default: {},
              properties: {
                enabled: { type: 'boolean', default: true },
                config: {
                  type: 'object',
                  default: {},
                  properties: {
                    lifespan: { ...duration, default: '1h' },
                    max_submissions: { type: 'integer', minimum: 1, maximum: 255, default: 5 },
                  },
                },
              },
            },
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
    courier: {
      type: 'object',
      default: {},
      properties: {
        smtp: {
          type: 'object',
          default: {},
          properties: {
            connection_uri: { type: 'string', pattern: '^smtps?://' },
            from_address: { type: 'string', minLength: 1, default: 'no-reply@ory.kratos.sh' },
            from_name: { type: 'string' },
            // A map of header name → value: no `properties`, so its keys are not reported as unknown.
            headers: { type: 'object', additionalProperties: { type: 'string' } },
            local_name: { type: 'string', minLength: 1, default: 'localhost' },
          },
        },
        message_retries: { type: 'integer', minimum: 0, default: 5 },
        worker: {
          type: 'object',
          default: {},
          properties: {
            pull_count: { type: 'integer', minimum: 1, default: 10 },
            pull_wait: { ...duration, default: '1s' },
          },
        },
        template_override_path: { type: 'string' },
        // Checked by the template loader (src/courier/template/load.ts), which names the offending key.
        templates: { type: 'object' },
      },
    },
    clients: clientsSchema,
    porta: {
      type: 'object',
      default: {},
      properties: {
        web_hook: portaWebHookSchema,
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
        courier: {
          type: 'object',
          default: {},
          properties: {
            // How long a worker's claim on a message lasts; a message whose worker died is retried after it.
            claim_lease: { ...duration, default: '1m' },
          },
        },
        session: {
          type: 'object',
          default: {},
          properties: {
            // ASVS 5.0 V7.3.1 / V7.3.2; both off by default ("0s"), as Kratos has neither.
            inactivity_timeout: { ...duration, default: '0s' },
            activity_granularity: { ...duration, default: '1m' },
            max_lifetime: { ...duration, default: '0s' },
          },
        },
        session_events: {
          type: 'object',
          default: {},
          properties: {
            receivers: {
              type: 'array',
              default: [],
              items: {
                type: 'object',
                required: ['id', 'url'],
                additionalProperties: false,
                properties: {
                  id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' },
                  url,
                  format: { type: 'string', enum: ['json', 'caep_set'], default: 'json' },
                  headers: { type: 'object', additionalProperties: { type: 'string' } },
                  auth: {
                    type: 'object',
                    required: ['type'],
                    properties: { type: { type: 'string', enum: ['api_key', 'basic_auth'] }, config: { type: 'object' } },
                  },
                  signing_secret: { type: 'string' },
                  reasons: { type: 'array', items: { type: 'string', minLength: 1 } },
                  audience: { type: 'string', minLength: 1 },
                  authorization_header: { type: 'string', minLength: 1 },
                },
              },
            },
            delivery: {
              type: 'object',
              default: {},
              properties: {
                timeout: duration,
                initial_interval: duration,
                multiplier: { type: 'number', minimum: 1, maximum: 10 },
                max_interval: duration,
                max_age: duration,
                poll_interval: duration,
              },
            },
            set: {
              type: 'object',
              default: {},
              properties: {
                issuer: url,
                signing_keys: { type: 'string', minLength: 1 },
                user_format: { type: 'string', enum: ['iss_sub', 'opaque'] },
              },
            },
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
        // Defaults and their reasoning: README, "Login throttling".
        login_throttle: {
          type: 'object',
          default: {},
          properties: {
            enabled: { type: 'boolean', default: true },
            free_failures: { type: 'integer', minimum: 0, default: 5 },
            max_backoff: { ...duration, default: '15m' },
            per_identifier: { type: 'integer', minimum: 1, default: 100 },
            per_ip: { type: 'integer', minimum: 1, default: 1000 },
            window: { ...duration, default: '1h' },
          },
        },
        send_throttle: {
          type: 'object',
          default: {},
          properties: {
            per_recipient: { type: 'integer', minimum: 1, default: 5 },
            per_ip: { type: 'integer', minimum: 1, default: 100 },
            window: { ...duration, default: '1h' },
          },
        },
        trusted_proxies: { ...stringList, default: [] },
      },
    },
  },
} as const;
