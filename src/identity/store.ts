import type { Identity } from './types.js';
import type { EndedSessionsSink } from '../session/store.js';

/** Thrown by identity writes when a credential identifier (or external_id) is already taken. */
export class DuplicateCredentialsError extends Error {
  constructor(message = 'an identity with the same identifier exists already') {
    super(message);
  }
}

export interface ListIdentitiesQuery {
  limit: number;
  /** Keyset pagination: identities with id > afterId, ordered by id ASC. */
  afterId?: string;
  /** Legacy page pagination (page * per_page). */
  offset?: number;
  ids?: string[];
  credentialIdentifier?: { type: string; identifier: string };
}

/** Identity storage as domain operations. Every read returns identities with their credentials. */
export interface IdentityStore {
  /** Inserts the identity, its credentials and identifiers in one transaction. Throws DuplicateCredentialsError. */
  createIdentity(identity: Identity): Promise<void>;
  /**
   * Replaces the whole identity (traits, state, metadata, credentials, identifiers). False when it does not exist. Throws DuplicateCredentialsError.
   * With `revokeSessions` (disabling an identity), its active sessions are revoked in the same transaction and reported there.
   */
  updateIdentity(identity: Identity, opts?: { revokeSessions?: EndedSessionsSink }): Promise<boolean>;
  getIdentity(id: string): Promise<Identity | null>;
  /** Exact match on the stored (normalized) identifier. */
  findIdentityByCredentialIdentifier(type: string, identifier: string): Promise<Identity | null>;
  /**
   * The identity with this verifiable address (via + normalized value): one indexed lookup in
   * identity_addresses. Two identities sharing it: the oldest wins.
   */
  findIdentityByVerifiableAddress(via: string, value: string): Promise<Identity | null>;
  /** Exact match on external_id (unique, indexed). */
  findIdentityByExternalId(externalId: string): Promise<Identity | null>;
  /** Exact match on a stored (normalized) recovery address: one indexed lookup in identity_addresses, oldest identity first. */
  findIdentityByRecoveryAddress(via: string, value: string): Promise<Identity | null>;
  listIdentities(query: ListIdentitiesQuery): Promise<Identity[]>;
  countIdentities(): Promise<number>;
  /** Replaces one credential's config (password upgrade on login) without touching the rest. */
  updateCredentialConfig(identityId: string, type: string, config: Record<string, unknown>): Promise<void>;
  /** Deletes the identity and, in the same transaction, its sessions (the active ones go to `ended`). False when it does not exist. */
  deleteIdentity(id: string, ended?: EndedSessionsSink): Promise<boolean>;
}
