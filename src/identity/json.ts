import type { Config } from '../config/config.js';
import type { Identity } from './types.js';

export type CredentialsView = 'none' | 'no-config' | { withConfig: string[] };

/**
 * STUB (owned by the identity helper). Identity JSON as Kratos marshals it (key order of
 * identity.Identity). `none` + no admin metadata is what sessions and self-service responses embed.
 */
export function identityToJSON(
  _identity: Identity,
  _opts: { config: Config; credentials: CredentialsView; metadataAdmin: boolean },
): Record<string, unknown> {
  throw new Error('not implemented');
}
