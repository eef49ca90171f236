import { Writable } from 'node:stream';
import type { ApiRequest, ApiResponse, PortaApiClient } from '../../src/ui/api.js';
import { pathWithQuery } from '../../src/ui/api.js';
import { Config } from '../../src/config/config.js';
import { createServer, type Servers } from '../../src/http/server.js';
import { createLogger } from '../../src/x/logger.js';
import { registerUI } from '../../src/ui/index.js';
import { referenceConfig } from '../helpers/harness.js';

export type Route = (req: ApiRequest) => Partial<ApiResponse> & { status: number };

/**
 * A stand-in for the public API: answers with canned Kratos JSON and records every call, so the pages
 * can be tested on exact shapes without the rest of Porta.
 */
export class FakeApi implements PortaApiClient {
  readonly calls: (ApiRequest & { url: string })[] = [];
  readonly routes = new Map<string, Route>();

  on(method: string, path: string, route: Route): this {
    this.routes.set(`${method} ${path}`, route);
    return this;
  }

  async send(req: ApiRequest): Promise<ApiResponse> {
    this.calls.push({ ...req, url: pathWithQuery(req.path, req.query) });
    const route = this.routes.get(`${req.method} ${req.path}`);
    if (!route) return { status: 404, body: { error: { code: 404, status: 'Not Found', message: 'Unable to locate the resource' } }, setCookie: [] };
    const r = route(req);
    return { body: undefined, setCookie: [], ...r };
  }
}

export const PUBLIC = 'http://127.0.0.1:4433';

export async function uiServer(api: FakeApi): Promise<Servers> {
  const logger = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const config = Config.load({ values: { ...referenceConfig(`${PUBLIC}/`), dsn: 'memory', porta: { ui: { enabled: true } } }, env: {} });
  const servers: Servers = { public: await createServer({ kind: 'public', logger }), admin: await createServer({ kind: 'admin', logger }) };
  registerUI(servers, { config }, { client: api });
  await servers.public.ready();
  return servers;
}

export const IDENTITY = {
  id: '5e8a6c5e-2f6a-4a4e-9b8e-7b1a1e2d3c4f',
  schema_id: 'default',
  traits: { email: 'ada@example.org', website: 'https://ada.example.org' },
  created_at: '2026-08-01T09:00:00Z',
};

export function session(id: string, ua = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36') {
  return {
    id,
    active: true,
    expires_at: '2026-08-02T10:00:00Z',
    authenticated_at: '2026-08-01T10:00:00Z',
    authenticator_assurance_level: 'aal1',
    authentication_methods: [{ method: 'password', aal: 'aal1', completed_at: '2026-08-01T10:00:00Z' }],
    issued_at: '2026-08-01T10:00:00Z',
    identity: IDENTITY,
    devices: [{ id: `d-${id}`, ip_address: '192.0.2.7', user_agent: ua, location: '' }],
  };
}

export function loginFlow(id: string, extra: { messages?: unknown[]; identifierValue?: string; identifierMessages?: unknown[] } = {}) {
  return {
    id,
    type: 'browser',
    ui: {
      action: `${PUBLIC}/self-service/login?flow=${id}`,
      method: 'POST',
      nodes: [
        { type: 'input', group: 'default', attributes: { name: 'csrf_token', type: 'hidden', value: 'masked+token/==', required: true, disabled: false, node_type: 'input' }, messages: [], meta: {} },
        {
          type: 'input',
          group: 'default',
          attributes: { name: 'identifier', type: 'text', value: extra.identifierValue ?? '', required: true, disabled: false, node_type: 'input' },
          messages: extra.identifierMessages ?? [],
          meta: { label: { id: 1070002, text: 'Your E-Mail', type: 'info', context: { name: 'traits.email', title: 'Your E-Mail' } } },
        },
        { type: 'input', group: 'password', attributes: { name: 'password', type: 'password', required: true, autocomplete: 'current-password', disabled: false, node_type: 'input' }, messages: [], meta: { label: { id: 1070001, text: 'Password', type: 'info' } } },
        { type: 'input', group: 'password', attributes: { name: 'method', type: 'submit', value: 'password', disabled: false, node_type: 'input' }, messages: [], meta: { label: { id: 1010022, text: 'Sign in with password', type: 'info' } } },
      ],
      ...(extra.messages ? { messages: extra.messages } : {}),
    },
    refresh: false,
    requested_aal: 'aal1',
    state: 'choose_method',
  };
}
