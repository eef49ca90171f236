import assert from 'node:assert/strict';
import type { TestApp } from '../../helpers/harness.js';
import { CookieJar } from '../../helpers/jar.js';
import { seedIdentity, seedSession, type SeededSession } from '../../helpers/seed.js';
import type { Identity } from '../../../src/identity/types.js';
import { FORM, form, get, post, type Res } from '../login/helpers.js';

export { FORM, form, get, post, whoami, followError, PASSWORD, csrfOf, nodeOf, type Res } from '../login/helpers.js';

type Json = Record<string, any>;
export const UI = 'http://localhost:4455/settings';
export const PUB = 'http://localhost:4433';

/** Kratos's e2e settings config on top of the reference one. */
export const settingsConfig = (extra: Json = {}): Json => ({
  selfservice: { flows: { settings: { ui_url: UI, privileged_session_max_age: '15m', ...extra } } },
});

export interface User {
  identity: Identity;
  login: SeededSession;
  /** A jar holding the session cookie (browser and SPA clients add the CSRF cookie to it). */
  jar: CookieJar;
}

export async function seedUser(t: TestApp, email: string, password: string): Promise<User> {
  const identity = await seedIdentity(t, { email, password });
  const login = await seedSession(t, identity);
  return { identity, login, jar: new CookieJar().set(t.config.sessionCookie.name, login.cookieValue) };
}

/** Moves the session's authentication time into the past, so it is no longer privileged. */
export async function age(t: TestApp, s: SeededSession, agoMs = 20 * 60_000): Promise<void> {
  s.session.authenticatedAt = new Date(Date.now() - agoMs);
  await t.app.registry.persister.sessions.updateSession(s.session);
}

export async function expireFlow(t: TestApp, id: string, agoMs = 1000): Promise<void> {
  const flow = await t.app.registry.persister.flows.getFlow('settings', id);
  assert.ok(flow);
  flow.expiresAt = new Date(Date.now() - agoMs);
  await t.app.registry.persister.flows.updateFlow(flow);
}

/** Browser init: 303 to the settings UI, the CSRF cookie stored, the flow fetched as the reference UI does. */
export async function browserFlow(t: TestApp, jar: CookieJar, query = ''): Promise<Json> {
  const init = await get(t, `/self-service/settings/browser${query}`, { cookie: jar.header(), accept: 'text/html' });
  assert.equal(init.status, 303, init.body);
  jar.store(init.headers);
  const loc = new URL(init.headers.location);
  assert.equal(`${loc.origin}${loc.pathname}`, UI);
  const res = await get(t, `/self-service/settings/flows?id=${loc.searchParams.get('flow')}`, { cookie: jar.header(), accept: 'application/json' });
  assert.equal(res.status, 200, res.body);
  return res.json();
}

export async function spaFlow(t: TestApp, jar: CookieJar, query = ''): Promise<Json> {
  const res = await get(t, `/self-service/settings/browser${query}`, { cookie: jar.header(), accept: 'application/json' });
  assert.equal(res.status, 200, res.body);
  jar.store(res.headers);
  return res.json();
}

export async function apiFlow(t: TestApp, token: string): Promise<Json> {
  const res = await get(t, '/self-service/settings/api', { 'x-session-token': token });
  assert.equal(res.status, 200, res.body);
  return res.json();
}

export async function submitForm(t: TestApp, flowId: string, jar: CookieJar, fields: Record<string, string>): Promise<Res> {
  const res = await post(t, `/self-service/settings?flow=${flowId}`, form(fields), { 'content-type': FORM, accept: 'text/html', cookie: jar.header() });
  jar.store(res.headers);
  return res;
}

export async function submitSPA(t: TestApp, flowId: string, jar: CookieJar, body: unknown): Promise<Res> {
  const res = await post(t, `/self-service/settings?flow=${flowId}`, JSON.stringify(body), {
    'content-type': 'application/json',
    accept: 'application/json',
    cookie: jar.header(),
  });
  jar.store(res.headers);
  return res;
}

export async function submitAPI(t: TestApp, flowId: string, token: string, body: unknown, headers: Record<string, string> = {}): Promise<Res> {
  return post(t, `/self-service/settings?flow=${flowId}`, JSON.stringify(body), {
    'content-type': 'application/json',
    accept: 'application/json',
    'x-session-token': token,
    ...headers,
  });
}

export const nodeNames = (flow: Json): string[] => flow.ui.nodes.map((n: Json) => `${n.attributes.name}(${n.group})`);
