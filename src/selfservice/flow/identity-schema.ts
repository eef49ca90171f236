import type { FlowDeps } from './model.js';
import { errSchemaUnavailable } from '../../http/catalogue/index.js';

/** Schema id and parsed schema for a flow (`identity_schema` query or the default). */
export function flowSchema(deps: FlowDeps, requested: string | undefined): { id: string; schema: Record<string, unknown> } {
  const id = requested ?? deps.config.defaultSchemaId;
  const s = deps.schemas.get(id);
  if (!s) throw errSchemaUnavailable(id);
  return { id: s.id, schema: s.schema };
}
