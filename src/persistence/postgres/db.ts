import type pg from 'pg';
import type { Identity } from '../../identity/types.js';
import { decodeRecovery, decodeVerifiable } from '../codec.js';

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export const json = (v: unknown): string => JSON.stringify(v);
export const jsonOrNull = (v: unknown): string | null => (v == null ? null : JSON.stringify(v));

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23505';
}

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
  i_state_changed_at: Date | null;
  i_traits: Record<string, unknown>;
  i_metadata_public: unknown;
  i_metadata_admin: unknown;
  i_external_id: string | null;
  i_organization_id: string | null;
  i_verifiable_addresses: unknown;
  i_recovery_addresses: unknown;
  i_created_at: Date;
  i_updated_at: Date;
}

/** The identity without credentials (`{}`); identity reads add them afterwards. */
export function identityFromRow(r: IdentityRow): Identity {
  return {
    id: r.i_id,
    schemaId: r.i_schema_id,
    state: r.i_state as Identity['state'],
    stateChangedAt: r.i_state_changed_at,
    traits: r.i_traits ?? {},
    metadataPublic: r.i_metadata_public ?? null,
    metadataAdmin: r.i_metadata_admin ?? null,
    externalId: r.i_external_id,
    organizationId: r.i_organization_id,
    verifiableAddresses: decodeVerifiable(r.i_verifiable_addresses),
    recoveryAddresses: decodeRecovery(r.i_recovery_addresses),
    credentials: {},
    createdAt: r.i_created_at,
    updatedAt: r.i_updated_at,
  };
}
