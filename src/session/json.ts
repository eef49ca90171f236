import type { Config } from '../config/config.js';
import type { Identity } from '../identity/types.js';
import type { Session } from './types.js';

/**
 * STUB (owned by the sessions helper). Session JSON in Kratos's key order; `active` computed
 * (stored flag && unexpired && identity active when known). The identity is embedded without
 * credentials; `metadataAdmin` only for admin responses.
 */
export function sessionToJSON(
  _session: Session,
  _opts: { config: Config; identity?: Identity | null; devices?: boolean; metadataAdmin?: boolean; now?: Date },
): Record<string, unknown> {
  throw new Error('not implemented');
}
