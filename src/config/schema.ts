import { duration, sameSite, stringList, secretList, server } from './schema-common.js';
import { clientsSchema } from './hooks-schema.js';
import { selfserviceSchema } from './schema-selfservice.js';
import { portaSchema } from './schema-porta.js';

// One JSON Schema for every key Porta implements (a subset of Kratos's embedx/config.schema.json,
// plus Porta's own keys under `porta`). Keys outside it are warned about once and ignored. The large
// sections live in schema-selfservice.ts and schema-porta.ts; shared building blocks in schema-common.ts.
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
    selfservice: selfserviceSchema,
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
    porta: portaSchema,
  },
} as const;
