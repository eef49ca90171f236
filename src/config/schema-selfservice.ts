import { duration, url, stringList, afterMethod } from './schema-common.js';
import { beforeHooks, hookList, logoutHookList } from './hooks-schema.js';

// `selfservice`: the flows (ui_url, lifespan, before/after hooks) and the methods, as Kratos names them.
/**
 * Verification and recovery share one shape: the `code` method (only it is implemented, so `use: link`
 * stops start-up naming the key), the flow's UI and lifespan, and before/after hook lists.
 */
const codeFlow = (name: 'verification' | 'recovery') => ({
  type: 'object',
  default: {},
  properties: {
    enabled: { type: 'boolean', default: false },
    ui_url: { ...url, default: `https://www.ory.com/kratos/docs/fallback/${name}` },
    lifespan: { ...duration, default: '1h' },
    use: { type: 'string', enum: ['code'], default: 'code' },
    notify_unknown_recipients: { type: 'boolean', default: false },
    before: beforeHooks,
    after: { type: 'object', properties: { default_browser_return_url: url, hooks: hookList } },
  },
});

/** `selfservice.methods.<name>`: on by default, with its own `config` object. */
const method = (config: Record<string, unknown>) => ({
  type: 'object',
  default: {},
  properties: { enabled: { type: 'boolean', default: true }, config: { type: 'object', default: {}, properties: config } },
});

export const selfserviceSchema = {
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
        verification: codeFlow('verification'),
        recovery: codeFlow('recovery'),
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
        code: method({
          lifespan: { ...duration, default: '1h' },
          max_submissions: { type: 'integer', minimum: 1, maximum: 255, default: 5 },
        }),
        password: method({
          min_password_length: { type: 'integer', minimum: 6, default: 8 },
          identifier_similarity_check_enabled: { type: 'boolean', default: true },
          haveibeenpwned_enabled: { type: 'boolean', default: false },
          haveibeenpwned_host: { type: 'string' },
          ignore_network_errors: { type: 'boolean' },
          max_breaches: { type: 'integer' },
        }),
      },
    },
  },
} as const;
