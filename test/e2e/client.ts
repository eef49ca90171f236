import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Configuration, FrontendApi, IdentityApi } from '@ory/client';
import { setCookies } from '../helpers/jar.js';

/** What a client of a spawned Porta does, through @ory/client and plain fetch (real sockets). */

export const PASSWORD = 'a-long-passphrase-9f3k2';
export const SESSION_COOKIE = 'ory_kratos_session';

export function frontend(publicURL: string): FrontendApi {
  return new FrontendApi(new Configuration({ basePath: publicURL }));
}
export function identityApi(adminURL: string): IdentityApi {
  return new IdentityApi(new Configuration({ basePath: adminURL }));
}

export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${randomBytes(5).toString('hex')}@example.org`;
}
export function traits(email: string): Record<string, unknown> {
  return { email, website: 'https://www.ory.sh/' };
}

/** The HTTP status of an @ory/client (axios) call that is expected to fail. */
export async function failureOf(p: Promise<unknown>): Promise<{ status: number; data: any }> {
  try {
    await p;
  } catch (err) {
    const res = (err as { response?: { status: number; data: unknown } }).response;
    if (res) return { status: res.status, data: res.data };
    throw err;
  }
  assert.fail('the call was expected to fail');
}

/** Creates an identity with a password through the admin API and returns its id. */
export async function createIdentity(adminURL: string, email = uniqueEmail()): Promise<{ id: string; email: string }> {
  const res = await identityApi(adminURL).createIdentity({
    createIdentityBody: { schema_id: 'default', traits: traits(email), credentials: { password: { config: { password: PASSWORD } } } },
  });
  assert.equal(res.status, 201);
  return { id: res.data.id, email };
}

/** Native (API) login: returns the session token and session id. */
export async function nativeLogin(publicURL: string, email: string): Promise<{ token: string; sessionId: string }> {
  const api = frontend(publicURL);
  const flow = await api.createNativeLoginFlow();
  const res = await api.updateLoginFlow({ flow: flow.data.id, updateLoginFlowBody: { method: 'password', identifier: email, password: PASSWORD } });
  assert.equal(res.status, 200);
  assert.match(res.data.session_token ?? '', /^ory_st_[A-Za-z0-9]{32}$/);
  return { token: res.data.session_token as string, sessionId: res.data.session.id };
}

function cookiePairs(headers: Record<string, unknown>): string[] {
  return setCookies(headers).map((c) => `${c.name}=${c.value}`);
}

/**
 * Browser login as an SPA or a server-side app does it with the SDK: create the flow (CSRF cookie),
 * submit with the cookie and the flow's csrf_token. Returns the `Cookie` header to send afterwards
 * (the session cookie only) and the session id.
 */
export async function browserLogin(publicURL: string, email: string): Promise<{ cookie: string; sessionId: string }> {
  const api = frontend(publicURL);
  const flow = await api.createBrowserLoginFlow();
  const csrfCookie = cookiePairs(flow.headers as Record<string, unknown>).join('; ');
  const csrfNode = flow.data.ui.nodes.find((n) => (n.attributes as { name?: string }).name === 'csrf_token');
  const csrfToken = (csrfNode?.attributes as { value?: string } | undefined)?.value;
  assert.ok(csrfToken, 'the browser login flow has a csrf_token node');
  const res = await api.updateLoginFlow({
    flow: flow.data.id,
    cookie: csrfCookie,
    updateLoginFlowBody: { method: 'password', identifier: email, password: PASSWORD, csrf_token: csrfToken },
  });
  assert.equal(res.status, 200);
  const session = cookiePairs(res.headers as Record<string, unknown>).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  assert.ok(session, 'a browser login sets the session cookie');
  return { cookie: session, sessionId: res.data.session.id };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** Plain fetch that never follows redirects and parses JSON bodies. */
export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body };
}

/** whoami's 401: Kratos's exact body, without error.id (kratos-logout-spec.md §5 D.54; the contract keeps it). */
export const WHOAMI_401 = {
  error: { code: 401, status: 'Unauthorized', reason: 'No valid session credentials found in the request.', message: 'The request could not be authorized' },
};
export function assertWhoami401(a: Answer, where: string): void {
  assert.equal(a.status, 401, `${where}: expected 401, got ${a.status} ${JSON.stringify(a.body)}`);
  assert.deepEqual(a.body, WHOAMI_401, where);
}

/** The logout endpoints' 401 (§4.3): session_inactive. */
export function assertSessionInactive(a: Answer, where: string): void {
  assert.equal(a.status, 401, `${where}: expected 401, got ${a.status} ${JSON.stringify(a.body)}`);
  assert.equal(a.body?.error?.id, 'session_inactive', `${where}: error.id`);
  assert.equal(a.body?.error?.reason, 'No active session was found in this request.', `${where}: error.reason`);
}

export const JSON_ACCEPT = { accept: 'application/json' };

/** Runs `fn` n times at once and returns the answers in order. */
export async function burst<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
}

export function tally(statuses: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}
