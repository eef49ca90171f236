import { PortaError } from '../http/errors.js';
import { externalIdOf } from './body.js';
import { STATES, type IdentityManager } from './manager.js';
import { normalizeIdentifier } from './normalize.js';
import { newId } from '../x/tokens.js';
import type { Identity, IdentityState, VerifiableAddress } from './types.js';
import { errAddressStatus, errImportUnknownFormat, errSuppliedState, errTraitsNotObject, errUnmarshalIdentity } from '../http/catalogue/index.js';

const STATUSES = new Set(['pending', 'sent', 'completed']);

function unmarshalError(field: string, goType: string, v: unknown): PortaError {
  const t = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
  return errUnmarshalIdentity(t, field, goType);
}

/**
 * Verifiable addresses as the patch left them: an admin may mark an address verified (as in Kratos).
 * Entries are matched to the stored ones by value; the schema extension then keeps only the addresses
 * the traits still name.
 */
function patchedAddresses(existing: Identity, raw: unknown, now: Date): VerifiableAddress[] {
  if (raw === undefined || raw === null) return existing.verifiableAddresses;
  if (!Array.isArray(raw)) throw unmarshalError('verifiable_addresses', '[]identity.VerifiableAddress', raw);
  return raw.map((entry) => {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw unmarshalError('verifiable_addresses', 'identity.VerifiableAddress', entry);
    const a = entry as Record<string, unknown>;
    if (typeof a.value !== 'string') throw unmarshalError('verifiable_addresses.value', 'string', a.value);
    if (a.verified !== undefined && typeof a.verified !== 'boolean') throw unmarshalError('verifiable_addresses.verified', 'bool', a.verified);
    if (a.status !== undefined && (typeof a.status !== 'string' || !STATUSES.has(a.status))) {
      throw errAddressStatus(a.status);
    }
    const via = a.via === 'sms' ? 'sms' : 'email';
    const value = via === 'email' ? normalizeIdentifier(a.value) : a.value.trim();
    const old = existing.verifiableAddresses.find((x) => x.value === value && x.via === via);
    const verified = a.verified ?? old?.verified ?? false;
    return {
      id: old?.id ?? newId(),
      value,
      via,
      verified,
      status: (a.status as VerifiableAddress['status'] | undefined) ?? (verified ? 'completed' : (old?.status ?? 'pending')),
      verifiedAt: verified ? (old?.verifiedAt ?? now) : null,
      createdAt: old?.createdAt ?? now,
      updatedAt: now,
    };
  });
}

/** The identity a JSON Patch produced, checked as Kratos's patchIdentity does (state, schema, traits, hash). */
export async function identityFromPatch(identities: IdentityManager, existing: Identity, doc: Record<string, unknown>): Promise<Identity> {
  const now = new Date();
  const schemaId = doc.schema_id;
  if (typeof schemaId !== 'string') throw unmarshalError('schema_id', 'string', schemaId);
  const state = doc.state;
  if (typeof state !== 'string') throw unmarshalError('state', 'identity.State', state);
  let updated: Identity = {
    ...existing,
    schemaId,
    traits: (doc.traits ?? null) as Record<string, unknown>,
    metadataPublic: doc.metadata_public ?? null,
    metadataAdmin: doc.metadata_admin ?? null,
    externalId: externalIdOf(doc.external_id),
    verifiableAddresses: patchedAddresses(existing, doc.verifiable_addresses, now),
    updatedAt: now,
  };
  if (state !== existing.state) {
    if (!STATES.includes(state as IdentityState)) {
      throw errSuppliedState(state);
    }
    updated = { ...updated, state: state as IdentityState, stateChangedAt: now };
  }
  updated = identities.applySchema(updated, now);
  if (!updated.traits || typeof updated.traits !== 'object' || Array.isArray(updated.traits)) {
    throw errTraitsNotObject();
  }
  const creds = doc.credentials as Record<string, { config?: Record<string, unknown> } | undefined> | undefined;
  const newHash = creds?.password?.config?.hashed_password;
  const oldHash = existing.credentials.password?.config?.hashed_password;
  if (newHash !== undefined && newHash !== oldHash) {
    if (typeof newHash !== 'string' || newHash === '') throw errImportUnknownFormat();
    updated = identities.withPasswordHash(updated, (await identities.passwordHash({ hashed: newHash })) as string, now);
  }
  return updated;
}
