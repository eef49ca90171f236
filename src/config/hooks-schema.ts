import { DURATION_PATTERN } from './duration.js';

// The hook lists of the self-service flows (Kratos's selfServiceHooks and friends) and the `web_hook`
// configuration (Kratos's embedx/config.schema.json webHookAttributesProperties). Semantic checks the
// schema cannot express (a template that does not compile, a missing body) live in the web_hook factory.

const duration = { type: 'string', pattern: DURATION_PATTERN } as const;
const str = { type: 'string' } as const;

const webHookAuth = {
  oneOf: [
    {
      type: 'object',
      required: ['type', 'config'],
      properties: {
        type: { const: 'api_key' },
        config: {
          type: 'object',
          required: ['name', 'value', 'in'],
          properties: { name: { type: 'string', minLength: 1 }, value: str, in: { type: 'string', enum: ['header', 'cookie'] } },
        },
      },
    },
    {
      type: 'object',
      required: ['type', 'config'],
      properties: {
        type: { const: 'basic_auth' },
        config: { type: 'object', required: ['user', 'password'], properties: { user: str, password: str } },
      },
    },
  ],
} as const;

/** The `config` of a `web_hook` entry. */
export const webHookConfigSchema = {
  type: 'object',
  required: ['url', 'method'],
  properties: {
    id: str,
    url: { type: 'string', minLength: 1 },
    method: { type: 'string', minLength: 1, pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    body: { type: 'string', minLength: 1 },
    auth: webHookAuth,
    can_interrupt: { type: 'boolean', default: false },
    emit_analytics_event: { type: 'boolean', default: true },
    response: {
      type: 'object',
      properties: { ignore: { type: 'boolean', default: false }, parse: { type: 'boolean', default: false } },
    },
  },
} as const;

/** A Kratos hook list: `{hook, config}` items; `web_hook` items have their config checked. */
export const hookList = {
  type: 'array',
  items: {
    type: 'object',
    required: ['hook'],
    properties: { hook: { type: 'string', minLength: 1 }, config: { type: 'object' } },
    if: { properties: { hook: { const: 'web_hook' } } },
    then: { required: ['hook', 'config'], properties: { config: webHookConfigSchema } },
  },
} as const;

/** `selfservice.flows.logout.after.hooks` [Porta]: `web_hook` only (Kratos has no logout hooks). */
export const logoutHookList = {
  type: 'array',
  items: {
    type: 'object',
    required: ['hook', 'config'],
    properties: { hook: { const: 'web_hook' }, config: webHookConfigSchema },
  },
} as const;

/** `<flow>.before`: hooks only (plus what the flow adds). */
export const beforeHooks = { type: 'object', properties: { hooks: hookList } } as const;

/** `clients.http` and `clients.web_hook` (Kratos's defaults: private ranges allowed, Kratos's header allowlist). */
export const clientsSchema = {
  type: 'object',
  default: {},
  properties: {
    http: {
      type: 'object',
      default: {},
      properties: {
        disallow_private_ip_ranges: { type: 'boolean', default: false },
        private_ip_exception_urls: { type: 'array', items: str, default: [] },
      },
    },
    web_hook: {
      type: 'object',
      default: {},
      properties: {
        header_allowlist: {
          type: 'array',
          items: str,
          default: [
            'Accept',
            'Accept-Encoding',
            'Accept-Language',
            'Content-Length',
            'Content-Type',
            'Origin',
            'Priority',
            'Referer',
            'Sec-Ch-Ua',
            'Sec-Ch-Ua-Mobile',
            'Sec-Ch-Ua-Platform',
            'Sec-Fetch-Dest',
            'Sec-Fetch-Mode',
            'Sec-Fetch-Site',
            'Sec-Fetch-User',
            'True-Client-Ip',
            'User-Agent',
          ],
        },
      },
    },
  },
} as const;

/** `porta.web_hook` [Porta]: Kratos's fixed client values, made configurable. */
export const portaWebHookSchema = {
  type: 'object',
  default: {},
  properties: {
    timeout: { ...duration, default: '30s' },
    max_retries: { type: 'integer', minimum: 0, maximum: 10, default: 2 },
    retry_wait_min: { ...duration, default: '1s' },
    retry_wait_max: { ...duration, default: '30s' },
    jsonnet_timeout: { ...duration, default: '1s' },
    jsonnet_workers: { type: 'integer', minimum: 1, maximum: 8, default: 2 },
  },
} as const;
