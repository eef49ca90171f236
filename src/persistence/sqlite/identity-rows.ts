import type { Identity } from '../../identity/types.js';
import { decodeRecovery, decodeVerifiable } from '../codec.js';
import { dateOf, dateOrNull, parseOrNull } from './db.js';

/** Identity columns, aliased with an `i_` prefix so they can sit next to session columns in one row. */
export const IDENTITY_COLUMNS =
  'i.id AS i_id, i.schema_id AS i_schema_id, i.state AS i_state, i.state_changed_at AS i_state_changed_at, i.traits AS i_traits, ' +
  'i.metadata_public AS i_metadata_public, i.metadata_admin AS i_metadata_admin, i.external_id AS i_external_id, ' +
  'i.organization_id AS i_organization_id, i.verifiable_addresses AS i_verifiable_addresses, ' +
  'i.recovery_addresses AS i_recovery_addresses, i.created_at AS i_created_at, i.updated_at AS i_updated_at';

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
