import { PortaError } from '../../http/errors.js';
import type { FlowDeps } from './model.js';

/** Schema id and parsed schema for a flow (`identity_schema` query or the default). */
export function flowSchema(deps: FlowDeps, requested: string | undefined): { id: string; schema: Record<string, unknown> } {
  const id = requested ?? deps.config.defaultSchemaId;
  const s = deps.schemas.get(id);
  if (!s) throw new PortaError(400, { reason: `The identity schema "${id}" is not available for self-service flows.` });
  return { id: s.id, schema: s.schema };
}
