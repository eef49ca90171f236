import { fileURLToPath } from 'node:url';
import { EMAIL_SCHEMA_URL, startApp, type Backend, type StartOptions, type TestApp } from '../helpers/harness.js';

export const fixture = (name: string) => `file://${fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))}`;

/** Kratos's identity handler tests use a `default` schema with a `bar` trait; the e2e email schema sits next to it. */
export const IDENTITY_SCHEMAS = {
  identity: {
    default_schema_id: 'default',
    schemas: [
      { id: 'default', url: fixture('bar.schema.json') },
      { id: 'email', url: EMAIL_SCHEMA_URL },
      { id: 'strict', url: fixture('strict.schema.json') },
      { id: 'preset://email', url: EMAIL_SCHEMA_URL },
    ],
  },
};

export function startIdentityApp(backend: Backend, opts: StartOptions = {}): Promise<TestApp> {
  return startApp({ backend, ...opts, config: { ...IDENTITY_SCHEMAS, ...(opts.config ?? {}) } });
}

export interface JsonResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json: () => any;
}

/** Admin request helper: JSON bodies, raw string bodies when given as text. */
export async function admin(t: TestApp, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const isText = typeof payload === 'string';
  const res = await t.app.admin.inject({
    method: method as 'GET',
    url,
    payload: payload === undefined ? undefined : isText ? (payload as string) : JSON.stringify(payload),
    headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
  });
  return res as unknown as JsonResponse;
}

export async function createIdentity(t: TestApp, body: Record<string, unknown>): Promise<any> {
  const res = await admin(t, 'POST', '/admin/identities', body);
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}
