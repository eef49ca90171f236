import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { Persister } from '../../persistence/types.js';
import type { CsrfManager } from '../../http/csrf.js';
import type { SessionManager } from '../../session/manager.js';
import type { IdentityManager } from '../../identity/manager.js';
import type { Hasher } from '../../hash/hasher.js';
import type { SchemaRegistry } from '../../schema/registry.js';
import type { ReturnToValidator } from './return-to.js';
import type { ErrorManager } from '../errors/manager.js';
import { newId, randomAlnum } from '../../x/tokens.js';
import { goTime } from './time.js';
import { publicURL } from './url.js';
import type { UiContainer } from './ui.js';
import type { FlowKind, FlowType, StoredFlow } from './types.js';

/** What the login and registration modules need from the registry. */
export interface FlowDeps {
  config: Config;
  logger: Logger;
  persister: Persister;
  csrf: CsrfManager;
  sessions: SessionManager;
  identities: IdentityManager;
  hasher: Hasher;
  schemas: SchemaRegistry;
  returnTo: ReturnToValidator;
  errors: ErrorManager;
}

/** The Kratos flow fields kept in StoredFlow.data. */
export interface FlowData {
  request_url: string;
  return_to?: string;
  active?: string;
  ui: UiContainer;
  refresh?: boolean;
  requested_aal?: string;
  session_token_exchange_code?: string;
  state: 'choose_method';
  transient_payload?: Record<string, unknown>;
  identity_schema?: string;
  /** Which identity schema the nodes were built from (not serialized). */
  schema_id?: string;
}

export const dataOf = (flow: StoredFlow): FlowData => flow.data as unknown as FlowData;

export function lifespanOf(config: Config, kind: FlowKind): number {
  return kind === 'login' ? config.loginLifespanMs : config.registrationLifespanMs;
}

export function newStoredFlow(config: Config, kind: FlowKind, type: FlowType, csrfToken: string, data: Omit<FlowData, 'ui'> & { ui?: UiContainer }): StoredFlow {
  const id = newId();
  const now = new Date();
  const ui: UiContainer = data.ui ?? { action: '', method: 'POST', nodes: [] };
  ui.action = publicURL(config, `/self-service/${kind}?flow=${id}`);
  return {
    id,
    kind,
    type,
    issuedAt: now,
    expiresAt: new Date(now.getTime() + lifespanOf(config, kind)),
    csrfToken,
    data: { ...data, ui } as unknown as Record<string, unknown>,
    createdAt: now,
    updatedAt: now,
  };
}

export const newExchangeCode = (): string => randomAlnum(64);

/** loginFlow / registrationFlow JSON, keys in Kratos's struct order. */
export function flowToJSON(flow: StoredFlow): Record<string, unknown> {
  const d = dataOf(flow);
  const out: Record<string, unknown> = { id: flow.id };
  if (flow.kind === 'login') out.organization_id = null;
  out.type = flow.type;
  out.expires_at = goTime(flow.expiresAt);
  out.issued_at = goTime(flow.issuedAt);
  out.request_url = d.request_url;
  if (d.return_to) out.return_to = d.return_to;
  if (d.active) out.active = d.active;
  out.ui = d.ui;
  if (flow.kind === 'login') {
    out.created_at = goTime(flow.createdAt);
    out.updated_at = goTime(flow.updatedAt);
    out.refresh = d.refresh === true;
    out.requested_aal = d.requested_aal ?? 'aal1';
  } else {
    out.organization_id = null;
    if (d.transient_payload) out.transient_payload = d.transient_payload;
  }
  if (d.session_token_exchange_code) out.session_token_exchange_code = d.session_token_exchange_code;
  out.state = d.state;
  if (flow.kind === 'login' && d.transient_payload) out.transient_payload = d.transient_payload;
  if (d.identity_schema) out.identity_schema = d.identity_schema;
  return out;
}

/** JSON body with Kratos's success content type. */
export function sendJSON(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(body);
}

/** http.Redirect: Location plus Go's tiny HTML body for GET/HEAD. */
export function redirect(req: FastifyRequest, reply: FastifyReply, status: 302 | 303, location: string): FastifyReply {
  reply.code(status).header('location', location);
  if (req.method === 'GET' || req.method === 'HEAD') {
    const escaped = location.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
    return reply.header('content-type', 'text/html; charset=utf-8').send(`<a href="${escaped}">${status === 303 ? 'See Other' : 'Found'}</a>.\n\n`);
  }
  return reply.send();
}
