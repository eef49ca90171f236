import type { Config } from '../config/config.js';
import type { IdentityStore } from '../persistence/types.js';
import type { SchemaRegistry } from '../schema/registry.js';
import type { Hasher } from '../hash/hasher.js';
import type { UiText } from '../x/text.js';
import type { Identity } from './types.js';

/** One failed JSON-schema check on traits, in both shapes Kratos renders. */
export interface TraitViolation {
  /** JSON pointer of the instance, e.g. `#/traits/email` (→ UI node `traits.email`). */
  pointer: string;
  /** The UI message with Kratos's id (4000002 missing, 4000003 minLength, 4000040 email, ...). */
  message: UiText;
  /** The admin-API text, e.g. `I[#/traits/bar] S[#/properties/traits/properties/bar/type] expected string, but got number`. */
  adminText: string;
}

export interface IdentityManagerDeps {
  config: Config;
  store: IdentityStore;
  schemas: SchemaRegistry;
  hasher: Hasher;
}

export interface NewIdentityInput {
  schemaId?: string;
  traits: Record<string, unknown>;
  /** Cleartext password to hash, or an imported hash. */
  password?: { cleartext?: string; hashed?: string };
  state?: 'active' | 'inactive';
  metadataPublic?: unknown;
  metadataAdmin?: unknown;
  externalId?: string | null;
}

/**
 * STUB (owned by the identity helper). Identity domain logic shared by the admin API and the
 * self-service flows: schema validation with the `ory.sh/kratos` extension, identifier extraction and
 * normalization, password credentials.
 */
export class IdentityManager {
  constructor(readonly deps: IdentityManagerDeps) {}

  /** Validates traits against the schema; returns violations (empty when valid). Unknown schema → PortaError 400. */
  validateTraits(_schemaId: string, _traits: Record<string, unknown>): TraitViolation[] {
    throw new Error('not implemented');
  }
  /** The normalized password identifiers the schema extension yields for these traits. */
  passwordIdentifiers(_schemaId: string, _traits: Record<string, unknown>): string[] {
    throw new Error('not implemented');
  }
  /**
   * Validates, hashes (off the event loop) and stores a new identity.
   * Throws PortaError 400 (schema/traits/hash format) or DuplicateCredentialsError.
   */
  async create(_input: NewIdentityInput): Promise<Identity> {
    throw new Error('not implemented');
  }
  /** Login lookup: normalized identifier first, then the raw input (Kratos FindByCredentialsIdentifier). */
  async findByPasswordIdentifier(_identifier: string): Promise<Identity | null> {
    throw new Error('not implemented');
  }
  /** Verifies a password against the identity's stored hash and upgrades the hash when needed. */
  async verifyPassword(_identity: Identity, _password: string): Promise<boolean> {
    throw new Error('not implemented');
  }
  async get(_id: string): Promise<Identity | null> {
    throw new Error('not implemented');
  }
}
