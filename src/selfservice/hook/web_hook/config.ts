import { ConfigError } from '../../../config/load.js';

/** A `web_hook` entry's `config`, checked (Kratos's request.Config and the web_hook response keys). */
export interface WebHookConfig {
  /** The config key for messages: `selfservice.flows.<flow>.<phase>[.<method>].hooks[<n>].config`. */
  key: string;
  url: URL;
  method: string;
  headers: Array<[string, string]>;
  /** The template URI (`base64://`, `file://`, `http(s)://`); undefined only for TRACE. */
  body?: string;
  auth?: { type: 'api_key'; name: string; value: string; in: 'header' | 'cookie' } | { type: 'basic_auth'; user: string; password: string };
  ignore: boolean;
  parse: boolean;
  canInterrupt: boolean;
  emitAnalyticsEvent: boolean;
  contentType: 'application/json' | 'application/x-www-form-urlencoded';
}

type Json = Record<string, unknown>;
const TOKEN_CHARS = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's http.CanonicalHeaderKey: first letter and every letter after '-' upper case, the rest lower. */
export function canonicalHeader(name: string): string {
  let out = '';
  let upper = true;
  for (const c of name) {
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === '-';
  }
  return out;
}

function str(cfg: Json, name: string, key: string, required: boolean): string | undefined {
  const v = cfg[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v === '') throw new ConfigError(`config key "${key}.${name}" must be a non-empty string`);
  return v;
}

function bool(obj: Json | undefined, name: string, key: string, dflt: boolean): boolean {
  const v = obj?.[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new ConfigError(`config key "${key}.${name}" must be a boolean`);
  return v;
}

function parseAuth(raw: unknown, key: string): WebHookConfig['auth'] {
  if (raw === undefined) return undefined;
  if (!isObject(raw) || !isObject(raw.config)) throw new ConfigError(`config key "${key}" must be {type, config}`);
  const c = raw.config;
  const k = `${key}.config`;
  if (raw.type === 'api_key') {
    const where = str(c, 'in', k, true);
    if (where !== 'header' && where !== 'cookie') throw new ConfigError(`config key "${k}.in" must be "header" or "cookie"`);
    const name = str(c, 'name', k, true) as string;
    if (!TOKEN_CHARS.test(name)) throw new ConfigError(`config key "${k}.name" is not a valid ${where} name`);
    return { type: 'api_key', name, value: str(c, 'value', k, true) as string, in: where };
  }
  if (raw.type === 'basic_auth') return { type: 'basic_auth', user: str(c, 'user', k, true) as string, password: str(c, 'password', k, true) as string };
  throw new ConfigError(`config key "${key}.type" must be "api_key" or "basic_auth"`);
}

/**
 * Checks a web_hook config once at start-up; everything that could never work stops the server with
 * the key named (Porta's D4; Kratos fails such a hook on first use).
 */
export function parseWebHookConfig(cfg: Json, key: string, opts: { logout?: boolean } = {}): WebHookConfig {
  const rawURL = str(cfg, 'url', key, true) as string;
  let url: URL;
  try {
    url = new URL(rawURL);
  } catch {
    throw new ConfigError(`config key "${key}.url" must be an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`config key "${key}.url" must be an http or https URL`);
  const method = str(cfg, 'method', key, true) as string;
  if (!TOKEN_CHARS.test(method)) throw new ConfigError(`config key "${key}.method" is not a valid HTTP method`);

  const headers: Array<[string, string]> = [];
  if (cfg.headers !== undefined) {
    if (!isObject(cfg.headers)) throw new ConfigError(`config key "${key}.headers" must be a map of strings`);
    for (const [name, value] of Object.entries(cfg.headers)) {
      if (!TOKEN_CHARS.test(name) || typeof value !== 'string' || /[\r\n\0]/.test(value)) {
        throw new ConfigError(`config key "${key}.headers.${name}" must be a valid header with a string value`);
      }
      headers.push([canonicalHeader(name), value]);
    }
  }
  const ct = headers.find(([n]) => n === 'Content-Type')?.[1] ?? 'application/json';
  if (ct !== 'application/json' && ct !== 'application/x-www-form-urlencoded') {
    throw new ConfigError(`config key "${key}.headers.Content-Type" must be exactly application/json or application/x-www-form-urlencoded`);
  }

  const body = str(cfg, 'body', key, false);
  if (body === undefined && method !== 'TRACE') throw new ConfigError(`config key "${key}.body" is required: every ${method} web hook sends a body`);

  const response = cfg.response;
  if (response !== undefined && !isObject(response)) throw new ConfigError(`config key "${key}.response" must be an object`);
  const ignore = bool(response, 'ignore', `${key}.response`, false);
  const parse = bool(response, 'parse', `${key}.response`, false);
  const canInterrupt = bool(cfg, 'can_interrupt', key, false);
  if (ignore && (parse || canInterrupt)) {
    throw new ConfigError(`config key "${key}.response.ignore" cannot be combined with response.parse or can_interrupt`);
  }
  if (opts.logout && (parse || canInterrupt)) {
    throw new ConfigError(`config key "${key}.response.parse" and "can_interrupt" are not allowed on logout hooks: they never change the logout`);
  }
  return {
    key,
    url,
    method,
    headers,
    body,
    auth: parseAuth(cfg.auth, `${key}.auth`),
    ignore,
    parse,
    canInterrupt,
    emitAnalyticsEvent: bool(cfg, 'emit_analytics_event', key, true),
    contentType: ct,
  };
}
