import type { Config } from '../../config/config.js';
import type { UiText } from '../../x/text.js';
import type { FlowData } from './model.js';
import type { FlowKind, StoredFlow } from './types.js';

/**
 * What makes one kind of self-service flow different from the others. Everything else (init, fetch,
 * submit, expiry, error rendering) is shared machinery that reads these fields instead of asking which
 * kind it holds, so a new flow is a folder that declares one FlowSpec and registers it.
 */
export interface FlowSpec {
  kind: FlowKind;
  lifespanMs(config: Config): number;
  uiURL(config: Config): URL;
  /** Kratos answers a browser re-render with 303 on some flows and 302 on others. */
  rerenderStatus: 302 | 303;
  /** The flow's JSON, keys in Kratos's struct order for this kind. */
  toJSON(flow: StoredFlow, data: FlowData, goTime: (d: Date) => string): Record<string, unknown>;
  /** The message a replacement for an expired flow carries. */
  expiredMessage(minutes: string, context: Record<string, unknown>): UiText;
  /** The reason of `session_already_available` on this flow. */
  alreadyLoggedInReason: string;
}

/**
 * The fields every flow's JSON starts with, in Kratos's order (id, type, expires_at, issued_at,
 * request_url, return_to); each kind's toJSON continues from here.
 */
export function flowJSONHead(flow: StoredFlow, d: FlowData, goTime: (d: Date) => string): Record<string, unknown> {
  const out: Record<string, unknown> = { id: flow.id, type: flow.type, expires_at: goTime(flow.expiresAt), issued_at: goTime(flow.issuedAt) };
  out.request_url = d.request_url;
  if (d.return_to) out.return_to = d.return_to;
  return out;
}

const specs = new Map<FlowKind, FlowSpec>();

/** Called once by each flow module when it is loaded. */
export function defineFlow(spec: FlowSpec): FlowSpec {
  if (specs.has(spec.kind) && specs.get(spec.kind) !== spec) throw new Error(`flow kind ${spec.kind} is defined twice`);
  specs.set(spec.kind, spec);
  return spec;
}

export function flowSpec(kind: FlowKind): FlowSpec {
  const spec = specs.get(kind);
  if (!spec) throw new Error(`flow kind ${kind} is not defined`);
  return spec;
}
