import assert from 'node:assert/strict';
import type { TestApp } from '../../helpers/harness.js';
import { CookieJar } from '../../helpers/jar.js';

export type Kind = 'login' | 'registration';
export const FORM = 'application/x-www-form-urlencoded';
export const PASSWORD = 'correct-horse-battery-staple';
export const CSRF_NAME = 'csrf_token_82b119fa58a0a1cb6faa9738c1d0dbbf04fcc89a657b7beb31fcde400ced48ab';
export const CSRF_REASON =
  'Please retry the flow and optionally clear your cookies. The request was rejected to protect you from Cross-Site-Request-Forgery (CSRF) which could cause account takeover, leaking personal information, and other serious security issues.';
export const INVALID_CREDENTIALS =
  'The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.';

type Json = Record<string, any>;
export interface Res {
  status: number;
  headers: Record<string, any>;
  body: string;
  json: () => any;
}

export async function get(t: TestApp, url: string, headers: Record<string, string> = {}): Promise<Res> {
  const r = await t.app.public.inject({ method: 'GET', url, headers });
  return { status: r.statusCode, headers: r.headers, body: r.body, json: () => r.json() };
}

export async function post(t: TestApp, url: string, payload: string, headers: Record<string, string>): Promise<Res> {
  const r = await t.app.public.inject({ method: 'POST', url, payload, headers });
  return { status: r.statusCode, headers: r.headers, body: r.body, json: () => r.json() };
}

/** Browser init: 303 to the UI with the CSRF cookie stored in the jar, then the flow fetched with it. */
export async function browserFlow(t: TestApp, kind: Kind, jar: CookieJar, query = ''): Promise<Json> {
  const init = await get(t, `/self-service/${kind}/browser${query}`, jar.names().length ? { cookie: jar.header() } : {});
  assert.equal(init.status, 303, init.body);
  jar.store(init.headers);
  const id = new URL(init.headers.location).searchParams.get('flow');
  const res = await get(t, `/self-service/${kind}/flows?id=${id}`, { cookie: jar.header() });
  assert.equal(res.status, 200, res.body);
  return res.json();
}

/** SPA init: Accept JSON, the flow in the body, the CSRF cookie stored. */
export async function spaFlow(t: TestApp, kind: Kind, jar: CookieJar, query = ''): Promise<Json> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (jar.names().length) headers.cookie = jar.header();
  const res = await get(t, `/self-service/${kind}/browser${query}`, headers);
  assert.equal(res.status, 200, res.body);
  jar.store(res.headers);
  return res.json();
}

export async function apiFlow(t: TestApp, kind: Kind, query = '', headers: Record<string, string> = {}): Promise<Json> {
  const res = await get(t, `/self-service/${kind}/api${query}`, headers);
  assert.equal(res.status, 200, res.body);
  return res.json();
}

export const csrfOf = (flow: Json): string => nodeOf(flow, 'csrf_token').attributes.value;
export function nodeOf(flow: Json, name: string): Json {
  const n = flow.ui.nodes.find((x: Json) => x.attributes.name === name);
  assert.ok(n, `node ${name} in ${JSON.stringify(flow.ui.nodes.map((x: Json) => x.attributes.name))}`);
  return n;
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** A browser form post (Accept text/html, form body, the jar's cookies). */
export async function submitForm(t: TestApp, kind: Kind, flowId: string, jar: CookieJar, fields: Record<string, string>): Promise<Res> {
  const headers: Record<string, string> = { 'content-type': FORM, accept: 'text/html' };
  if (jar.names().length) headers.cookie = jar.header();
  const res = await post(t, `/self-service/${kind}?flow=${flowId}`, form(fields), headers);
  jar.store(res.headers);
  return res;
}

/** An SPA submit (JSON in and out, Sec-Fetch-Mode: cors, the jar's cookies). */
export async function submitSPA(t: TestApp, kind: Kind, flowId: string, jar: CookieJar, body: unknown): Promise<Res> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'sec-fetch-mode': 'cors' };
  if (jar.names().length) headers.cookie = jar.header();
  const res = await post(t, `/self-service/${kind}?flow=${flowId}`, JSON.stringify(body), headers);
  jar.store(res.headers);
  return res;
}

/** A native submit: JSON, no cookies. */
export async function submitAPI(t: TestApp, kind: Kind, flowId: string, body: unknown, headers: Record<string, string> = {}): Promise<Res> {
  return post(t, `/self-service/${kind}?flow=${flowId}`, typeof body === 'string' ? body : JSON.stringify(body), {
    'content-type': 'application/json',
    accept: 'application/json',
    ...headers,
  });
}

/** Moves a stored flow's expiry into the past. */
export async function expire(t: TestApp, kind: Kind, id: string, agoMs = 1000): Promise<void> {
  const flow = await t.app.registry.persister.flows.getFlow(kind, id);
  assert.ok(flow);
  flow.expiresAt = new Date(Date.now() - agoMs);
  await t.app.registry.persister.flows.updateFlow(flow);
}

/** The error container a browser was sent to (303 to the error UI). */
export async function followError(t: TestApp, res: Res): Promise<Json> {
  assert.equal(res.status, 303, res.body);
  const loc = new URL(res.headers.location);
  assert.equal(`${loc.origin}${loc.pathname}`, 'http://localhost:4455/error');
  const err = await get(t, `/self-service/errors?id=${loc.searchParams.get('id')}`);
  assert.equal(err.status, 200, err.body);
  return err.json().error;
}

export async function whoami(t: TestApp, headers: Record<string, string>): Promise<Res> {
  return get(t, '/sessions/whoami', headers);
}
