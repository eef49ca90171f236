import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../helpers/harness.js';

export type Headers = Record<string, string | undefined>;

const clean = (h: Headers): Record<string, string> =>
  Object.fromEntries(Object.entries(h).filter((e): e is [string, string] => e[1] !== undefined));
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export function pub(t: TestApp, method: Method, url: string, headers: Headers = {}): Promise<LightMyRequestResponse> {
  return t.app.public.inject({ method, url, headers: clean(headers) });
}

export function adm(t: TestApp, method: Method, url: string, headers: Headers = {}): Promise<LightMyRequestResponse> {
  return t.app.admin.inject({ method, url, headers: clean(headers) });
}

export function whoami(t: TestApp, headers: Headers = {}, method: Method = 'GET'): Promise<LightMyRequestResponse> {
  return pub(t, method, '/sessions/whoami', headers);
}

export const WHOAMI_401 =
  '{"error":{"code":401,"status":"Unauthorized","reason":"No valid session credentials found in the request.","message":"The request could not be authorized"}}\n';

export const NO_SESSION_COOKIE_401 =
  '{"error":{"code":401,"status":"Unauthorized","reason":"No valid session cookie found.","message":"The request could not be authorized"}}\n';

export function setCookieLines(res: LightMyRequestResponse): string[] {
  const v = res.headers['set-cookie'];
  return v === undefined ? [] : Array.isArray(v) ? v : [String(v)];
}

/** A random, well-formed UUID that names nothing. */
export const randomUUID = (): string => crypto.randomUUID();
