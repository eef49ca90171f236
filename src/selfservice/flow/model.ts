import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { IdentityStore } from '../../identity/store.js';
import type { ThrottleStore } from '../../throttle/store.js';
import type { FlowStore } from './store.js';
import type { CsrfManager } from '../../http/csrf.js';
import type { SessionManager } from '../../session/manager.js';
import type { IdentityManager } from '../../identity/manager.js';
import type { Hasher } from '../../hash/hasher.js';
import type { SchemaRegistry } from '../../schema/registry.js';
import type { ReturnToValidator } from './return-to.js';
import type { ErrorManager } from '../errors/manager.js';
import { newId, randomAlnum } from '../../x/tokens.js';
import { goTime } from '../../x/go/time.js';
import { goRedirect } from '../../http/go-redirect.js';
import { publicURL } from './url.js';
import type { UiContainer } from './ui.js';
import type { FlowKind, FlowType, StoredFlow } from './types.js';
import { flowSpec } from './kinds.js';

/** What the shared flow machinery needs from the registry (methods and hooks come on top: ../deps.ts). */
export interface FlowDeps {
  config: Config;
  logger: Logger;
  /** The stores the flows use (app.ts passes the whole persister). */
  persister: { flows: FlowStore; identities: IdentityStore; throttles: ThrottleStore };
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
  /** Kratos's flow states (login and registration stay in choose_method; the account flows move on). */
  state: 'choose_method' | 'sent_email' | 'passed_challenge' | 'show_form' | 'success';
  transient_payload?: Record<string, unknown>;
  identity_schema?: string;
  /** Which identity schema the nodes were built from (not serialized). */
  schema_id?: string;
  /** Settings: the identity the flow belongs to, and its JSON as last rendered. */
  identity_id?: string;
  identity?: Record<string, unknown>;
}

export const dataOf = (flow: StoredFlow): FlowData => flow.data as unknown as FlowData;

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
    expiresAt: new Date(now.getTime() + flowSpec(kind).lifespanMs(config)),
    csrfToken,
    data: { ...data, ui } as unknown as Record<string, unknown>,
    createdAt: now,
    updatedAt: now,
  };
}

export const newExchangeCode = (): string => randomAlnum(64);

/** The flow's JSON in its kind's shape (FlowSpec.toJSON). */
export function flowToJSON(flow: StoredFlow): Record<string, unknown> {
  return flowSpec(flow.kind).toJSON(flow, dataOf(flow), goTime);
}

/** JSON body with Kratos's success content type. */
export function sendJSON(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(body);
}

/** Go's http.Redirect (flows answer browsers with 302 or 303). */
export const redirect = goRedirect;
