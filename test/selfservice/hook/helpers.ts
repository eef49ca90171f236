import type { TestApp } from '../../helpers/harness.js';
import { apiFlow, submitAPI, type Res } from '../login/helpers.js';

export const PASSWORD = 'l3f9toh1uaf81n21';
let counter = 0;
export const uniqueEmail = () => `hook-${process.pid}-${++counter}@example.org`;

/** The spec's Part D template H: what a registration or login hook saw. */
export const TEMPLATE_H = `function(ctx) {
  flow_id: ctx.flow.id,
  identity_id: if std.objectHas(ctx, "identity") then ctx.identity.id,
  session_id: if std.objectHas(ctx, "session") then ctx.session.id,
  headers: ctx.request_headers,
  url: ctx.request_url,
  method: ctx.request_method,
  cookies: ctx.request_cookies,
  tp: if std.objectHas(ctx.flow, "transient_payload") then ctx.flow.transient_payload,
}`;

/** Fast retries so that failure cases stay quick; Kratos's counts (3 attempts) are kept. */
export const FAST_CLIENT = { web_hook: { timeout: '400ms', retry_wait_min: '10ms', retry_wait_max: '50ms' } };

/** API registration: new flow, JSON submit. */
export async function registerAPI(t: TestApp, body: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<{ res: Res; flowId: string; email: string }> {
  const flow = await apiFlow(t, 'registration');
  const email = uniqueEmail();
  const res = await submitAPI(t, 'registration', flow.id, { method: 'password', password: PASSWORD, traits: { email, website: 'https://www.ory.sh' }, ...body }, headers);
  return { res, flowId: flow.id, email };
}

export async function loginAPI(t: TestApp, email: string): Promise<Res> {
  const flow = await apiFlow(t, 'login');
  return submitAPI(t, 'login', flow.id, { method: 'password', identifier: email, password: PASSWORD });
}

export async function adminGet(t: TestApp, url: string): Promise<{ status: number; json: () => any }> {
  const r = await t.app.admin.inject({ method: 'GET', url });
  return { status: r.statusCode, json: () => r.json() };
}
