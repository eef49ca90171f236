import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findImport } from './jsonnet-guard.js';

/** A configuration error of one hook; the registry prefixes the config key it came from. */
export class HookConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

export type WebHookAuth = { type: 'api_key'; name: string; value: string; in: 'header' | 'cookie' } | { type: 'basic_auth'; user: string; password: string };

/** One `web_hook` entry, checked and with its template loaded. */
export interface WebHookSpec {
  id?: string;
  url: URL;
  method: string;
  /** Static headers as configured (names as written). */
  headers: Record<string, string>;
  contentType: 'application/json' | 'application/x-www-form-urlencoded';
  /** Jsonnet source; undefined only for TRACE. */
  template?: string;
  auth?: WebHookAuth;
  ignore: boolean;
  parse: boolean;
  canInterrupt: boolean;
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});

/**
 * Reads a template the way Kratos's fetcher does for the schemes that make sense at start-up: base64://
 * (standard base64) and file://; a bare path is read as a file (Kratos accepts it with a deprecation
 * warning). Remote templates are refused: a hook must not depend on another server to start.
 */
function loadTemplate(body: string, warn: (msg: string) => void): string {
  if (body.startsWith('base64://')) {
    const b64 = body.slice('base64://'.length);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new HookConfigError('body', 'base64:// template is not valid standard base64');
    return Buffer.from(b64, 'base64').toString('utf8');
  }
  let path: string;
  if (body.startsWith('file://')) path = fileURLToPath(body);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(body)) {
    throw new HookConfigError('body', `template URL scheme is not supported (use file:// or base64://): ${body.split(':')[0]}`);
  } else {
    warn('a web_hook body without a scheme is read as file:// (deprecated in Kratos)');
    path = body;
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new HookConfigError('body', `template cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** Checks one `web_hook` config (start-up errors for what can never work, spec C.2 D4) and loads its template. */
export function parseWebHookConfig(raw: Raw, opts: { logout?: boolean; warn: (msg: string) => void }): WebHookSpec {
  let url: URL;
  try {
    url = new URL(String(raw.url ?? ''));
  } catch {
    throw new HookConfigError('url', 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HookConfigError('url', 'only http and https URLs can be called');
  const method = typeof raw.method === 'string' ? raw.method : '';
  if (!method) throw new HookConfigError('method', 'is required');

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(raw.headers))) if (typeof v === 'string') headers[k] = v;
  const ctName = Object.keys(headers).find((k) => k.toLowerCase() === 'content-type');
  const contentType = ctName ? headers[ctName] : 'application/json';
  if (contentType !== 'application/json' && contentType !== 'application/x-www-form-urlencoded') {
    throw new HookConfigError('headers', 'Content-Type must be exactly application/json or application/x-www-form-urlencoded');
  }

  let template: string | undefined;
  if (typeof raw.body === 'string' && raw.body !== '') template = loadTemplate(raw.body, opts.warn);
  else if (method !== 'TRACE') throw new HookConfigError('body', 'a template is required for a request with a body');
  if (template !== undefined && findImport(template) >= 0) throw new HookConfigError('body', 'imports are not allowed in web_hook templates');

  const response = obj(raw.response);
  const ignore = response.ignore === true;
  const parse = response.parse === true;
  const canInterrupt = raw.can_interrupt === true;
  if (ignore && (parse || canInterrupt)) throw new HookConfigError('response.ignore', 'cannot be combined with response.parse or can_interrupt');
  if (opts.logout && parse) throw new HookConfigError('response.parse', 'a logout hook cannot change anything');
  if (opts.logout && canInterrupt) throw new HookConfigError('can_interrupt', 'a logout hook cannot interrupt a logout');

  let auth: WebHookAuth | undefined;
  const a = obj(raw.auth);
  const ac = obj(a.config);
  if (a.type === 'api_key') {
    auth = { type: 'api_key', name: String(ac.name ?? ''), value: String(ac.value ?? ''), in: ac.in === 'cookie' ? 'cookie' : 'header' };
  } else if (a.type === 'basic_auth') {
    auth = { type: 'basic_auth', user: String(ac.user ?? ''), password: String(ac.password ?? '') };
  } else if (raw.auth !== undefined) throw new HookConfigError('auth.type', 'must be api_key or basic_auth');

  return {
    id: typeof raw.id === 'string' ? raw.id : undefined,
    url,
    method,
    headers,
    contentType,
    template,
    auth,
    ignore,
    parse,
    canInterrupt,
  };
}
