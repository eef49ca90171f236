import { goEncodeValues } from '../../../x/gourl.js';
import { VERSION } from '../../../version.js';
import type { WebHookConfig } from './config.js';
import type { Outgoing } from './client.js';

/** The template said `error "cancel"`: no request, and the hook succeeds (Kratos's builder). */
export class CancelHook extends Error {}

/** The template's output could not be sent (not an object of strings for a form body). */
export class BodyEncodingError extends Error {}

/**
 * Kratos's request builder: static headers, then Content-Type when none was configured, then auth;
 * the body is the Jsonnet output verbatim for application/json, or url.Values-encoded (keys sorted,
 * `+` for spaces) for application/x-www-form-urlencoded, whose output must be an object of strings.
 */
export function buildRequest(cfg: WebHookConfig, rendered: string | undefined): Outgoing {
  const headers = new Map<string, string>();
  for (const [k, v] of cfg.headers) headers.set(k, v);
  if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  if (!headers.has('User-Agent')) headers.set('User-Agent', `Porta/${VERSION}`);
  if (cfg.auth?.type === 'api_key') {
    if (cfg.auth.in === 'header') headers.set(cfg.auth.name, cfg.auth.value);
    else headers.set('Cookie', `${cfg.auth.name}=${cfg.auth.value}`);
  } else if (cfg.auth?.type === 'basic_auth') {
    headers.set('Authorization', `Basic ${Buffer.from(`${cfg.auth.user}:${cfg.auth.password}`).toString('base64')}`);
  }
  let body: Buffer | undefined;
  if (rendered !== undefined) {
    if (cfg.contentType === 'application/json') {
      body = Buffer.from(rendered, 'utf8');
    } else {
      const value = JSON.parse(rendered) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BodyEncodingError('a form body template must return an object');
      const q = new Map<string, string[]>();
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') throw new BodyEncodingError(`form field "${k}" must be a string`);
        q.set(k, [v]);
      }
      body = Buffer.from(goEncodeValues(q), 'utf8');
    }
  }
  return { url: cfg.url, method: cfg.method, headers: [...headers], body };
}
