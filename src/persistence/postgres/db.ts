import type pg from 'pg';
import type { Identity } from '../../identity/types.js';
import { decodeRecovery, decodeVerifiable } from '../codec.js';

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export const json = (v: unknown): string => JSON.stringify(v);
export const jsonOrNull = (v: unknown): string | null => (v == null ? null : JSON.stringify(v));

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23505';
}

export { IDENTITY_COLUMNS } from '../codec.js';

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
