import { duration, url, stringList } from './schema-common.js';
import { portaWebHookSchema } from './hooks-schema.js';

// `porta`: Porta's own keys (no Kratos equivalent): admin API keys, session limits and events, throttles.
export const portaSchema = {
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
    // 0: automatic (the CPUs this process may run on, minus one for the event loop; at least one).
    hashing: {
      type: 'object',
      default: {},
      properties: {
        max_concurrent: { type: 'integer', minimum: 0, maximum: 1024, default: 0 },
        // Linux nice value of libuv's thread pool, where hashes compute (hash/priority.ts); 0 leaves it alone.
        nice: { type: 'integer', minimum: 0, maximum: 19, default: 5 },
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
} as const;
