// The hook lists of the self-service flows, as Kratos's config schema accepts them. Hook names Kratos
// knows pass validation (those Porta does not implement are warned about and skipped when the lists
// are built); any other name is refused at start-up, as Kratos refuses the file. Each hook's
// `config` is checked by its kind when the server starts (e.g. web_hook), so errors name the key.

/** Every hook name Kratos's schema allows in some list. */
export const KRATOS_HOOK_NAMES = [
  'session',
  'web_hook',
  'revoke_active_sessions',
  'require_verified_address',
  'verification',
  'show_verification_ui',
  'verify_new_address',
  'notify_previous_addresses',
  'b2b_sso',
  'organization',
] as const;

/** The method keys Kratos has below `after` (login, registration, settings share one list here). */
export const HOOK_METHODS = ['password', 'oidc', 'saml', 'code', 'webauthn', 'passkey', 'totp', 'lookup_secret', 'profile'] as const;

const url = { type: 'string', minLength: 1 } as const;

export const hookList = (names: readonly string[] = KRATOS_HOOK_NAMES) =>
  ({
    type: 'array',
    items: {
      type: 'object',
      required: ['hook'],
      properties: { hook: { type: 'string', enum: [...names] }, config: { type: 'object' } },
    },
  }) as const;

/** `<flow>.before`: a hook list. */
export const beforeHooks = () => ({ type: 'object', properties: { hooks: hookList() } }) as const;

/** `<flow>.after`: the flow-wide return URL and list, and per method its return URL and list. */
export function afterHooks(extra: Record<string, unknown> = {}) {
  const methods: Record<string, unknown> = {};
  for (const m of HOOK_METHODS) methods[m] = { type: 'object', properties: { default_browser_return_url: url, hooks: hookList() } };
  return { type: 'object', properties: { default_browser_return_url: url, hooks: hookList(), ...methods, ...extra } } as const;
}

/** Kratos's `clients` block (the outgoing HTTP client of web hooks). */
export const clientsSchema = {
  type: 'object',
  default: {},
  properties: {
    http: {
      type: 'object',
      default: {},
      properties: {
        // Kratos's default is false: loopback and private receivers work unless this is switched on.
        disallow_private_ip_ranges: { type: 'boolean', default: false },
        private_ip_exception_urls: { type: 'array', items: { type: 'string' }, default: [] },
      },
    },
    web_hook: {
      type: 'object',
      default: {},
      properties: {
        header_allowlist: {
          type: 'array',
          items: { type: 'string' },
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

/** porta.web_hook: the retry and timeout knobs, with Kratos's fixed values as defaults. */
export const portaWebHookSchema = (duration: object) =>
  ({
    type: 'object',
    default: {},
    properties: {
      timeout: { ...duration, default: '30s' },
      max_retries: { type: 'integer', minimum: 0, maximum: 10, default: 2 },
      retry_wait_min: { ...duration, default: '1s' },
      retry_wait_max: { ...duration, default: '30s' },
    },
  }) as const;
