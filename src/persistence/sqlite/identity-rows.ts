import type { Identity } from '../../identity/types.js';
import { decodeRecovery, decodeVerifiable } from '../codec.js';
import { dateOf, dateOrNull, parseOrNull } from './db.js';

export { IDENTITY_COLUMNS } from '../codec.js';

export interface IdentityRow {
  i_id: string;
  i_schema_id: string;
  i_state: string;
  i_state_changed_at: number | null;
  i_traits: string;
  i_metadata_public: string | null;
  i_metadata_admin: string | null;
  i_external_id: string | null;
  i_organization_id: string | null;
  i_verifiable_addresses: string;
  i_recovery_addresses: string;
  i_created_at: number;
  i_updated_at: number;
}

/** The identity without credentials (`{}`); identity reads add them afterwards. */
export function identityFromRow(r: IdentityRow): Identity {
  return {
    id: r.i_id,
    schemaId: r.i_schema_id,
    state: r.i_state as Identity['state'],
    stateChangedAt: dateOrNull(r.i_state_changed_at),
    traits: JSON.parse(r.i_traits) as Record<string, unknown>,
    metadataPublic: parseOrNull(r.i_metadata_public),
    metadataAdmin: parseOrNull(r.i_metadata_admin),
    externalId: r.i_external_id,
    organizationId: r.i_organization_id,
    verifiableAddresses: decodeVerifiable(JSON.parse(r.i_verifiable_addresses)),
    recoveryAddresses: decodeRecovery(JSON.parse(r.i_recovery_addresses)),
    credentials: {},
    createdAt: dateOf(r.i_created_at),
    updatedAt: dateOf(r.i_updated_at),
  };
}
