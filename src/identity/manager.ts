import type { ValidateFunction } from 'ajv';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/load.js';
import type { IdentityStore } from './store.js';
import type { SchemaRegistry } from '../schema/registry.js';
import type { Hasher } from '../hash/hasher.js';
import { PasswordTooLongError } from '../hash/hasher.js';
import { PortaError } from '../http/errors.js';
import { newId } from '../x/tokens.js';
import type { SessionManager } from '../session/manager.js';
import type { Credential, Identity, IdentityState, RecoveryAddress, VerifiableAddress } from './types.js';
import { compileSchema, runValidation, type TraitViolation, type ValidationResult } from './validation.js';
import { normalizeIdentifier, unique } from './normalize.js';
import { errIdentityState, errImportOutOfBounds, errImportUnknownFormat, errImportUnparsable, errPasswordTooLong, errSchemaIdUnknown } from '../http/catalogue/index.js';

export type { TraitViolation } from './validation.js';

export interface IdentityManagerDeps {
  config: Config;
  store: IdentityStore;
  schemas: SchemaRegistry;
  hasher: Hasher;
  /** Ends the sessions of a deleted or disabled identity, so those ends are observed like any other. */
  sessions: Pick<SessionManager, 'revokeWith'>;
  /** Where failed hash upgrades are reported (optional: they never fail a login). */
  logger?: { warn(obj: object, msg: string): void };
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
  organizationId?: string | null;
  /** Admin import: addresses given in the body; kept (verified flag, status) when the traits yield the same value. */
  verifiableAddresses?: Array<Partial<VerifiableAddress> & { value: string }>;
  recoveryAddresses?: Array<Partial<RecoveryAddress> & { value: string }>;
}

/** The credential part of a new identity, as a self-service method supplies it. */
export type NewIdentityCredentials = Pick<NewIdentityInput, 'password'>;

/** A traits document that fails the identity schema; `violations` feed the UI, `reason` the admin API. */
export class TraitsValidationError extends PortaError {
  constructor(readonly violations: TraitViolation[], reason: string) {
    super(400, { reason });
  }
}

export const STATES: readonly IdentityState[] = ['active', 'inactive'];

/**
 * Identity domain logic shared by the admin API and the self-service flows: schema validation with the
 * `ory.sh/kratos` extension, identifier extraction and normalization, password credentials.
 */
export class IdentityManager {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly deps: IdentityManagerDeps) {
    // Compile every schema once, at start-up: a broken schema stops the server instead of a request.
    deps.schemas.list().forEach((s, i) => {
      try {
        this.validators.set(s.id, compileSchema(s.schema));
      } catch (err) {
        throw new ConfigError(`config key "identity.schemas.${i}.url" is not a valid JSON Schema: ${(err as Error).message}`);
      }
    });
  }

  private validator(schemaId: string): ValidateFunction {
    const schema = this.deps.schemas.get(schemaId);
    const v = schema && this.validators.get(schema.id);
    if (!v) throw errSchemaIdUnknown(schemaId);
    return v;
  }

  /** Full validation result (violations, admin reason, extension values). Unknown schema → PortaError 400. */
  validate(schemaId: string, traits: unknown): ValidationResult {
    return runValidation(this.validator(schemaId), traits);
  }

  /** Validates traits against the schema; returns violations (empty when valid). Unknown schema → PortaError 400. */
  validateTraits(schemaId: string, traits: Record<string, unknown>): TraitViolation[] {
    return this.validate(schemaId, traits).violations;
  }

  /** The normalized password identifiers the schema extension yields for these traits. */
  passwordIdentifiers(schemaId: string, traits: Record<string, unknown>): string[] {
    return identifiersOf(this.validate(schemaId, traits));
  }

  /** Hashes a cleartext password or checks an imported hash; Kratos's 400 reasons on bad imports. */
  async passwordHash(password: { cleartext?: string; hashed?: string }): Promise<string | undefined> {
    if (password.cleartext) {
      try {
        return await this.deps.hasher.hash(password.cleartext);
      } catch (err) {
        if (err instanceof PasswordTooLongError) throw errPasswordTooLong(err.message);
        throw err;
      }
    }
    if (password.hashed !== undefined) {
      const problem = this.deps.hasher.importProblem(password.hashed);
      if (problem === 'unknown') throw errImportUnknownFormat();
      if (problem === 'bounds') throw errImportOutOfBounds();
      if (problem === 'invalid') throw errImportUnparsable();
      return password.hashed;
    }
    return undefined;
  }

  /**
   * Validates `identity.traits` against its schema and recomputes what the schema extension derives:
   * password identifiers, verifiable and recovery addresses (existing entries with the same value keep
   * their id and verification state). Throws TraitsValidationError.
   */
  applySchema(identity: Identity, now = new Date()): Identity {
    const result = this.validate(identity.schemaId, identity.traits);
    if (result.violations.length) throw new TraitsValidationError(result.violations, result.adminReason);
    const identifiers = identifiersOf(result);
    const creds = { ...identity.credentials };
    const pw = creds.password;
    if (pw || identifiers.length) {
      creds.password = pw
        ? { ...pw, identifiers, updatedAt: now }
        : { type: 'password', identifiers, config: {}, version: 0, createdAt: now, updatedAt: now };
    }
    const verifiable: VerifiableAddress[] = [];
    const recovery: RecoveryAddress[] = [];
    for (const { ext, value } of result.extensions) {
      if (typeof value !== 'string') continue;
      const via = ext.verification?.via;
      if (via === 'email' || via === 'sms') {
        const v = via === 'email' ? normalizeIdentifier(value) : value.trim();
        if (!verifiable.some((a) => a.value === v && a.via === via)) {
          const old = identity.verifiableAddresses.find((a) => a.value === v && a.via === via);
          verifiable.push(old ?? { id: newId(), value: v, verified: false, via, status: 'pending', verifiedAt: null, createdAt: now, updatedAt: now });
        }
      }
      const rvia = ext.recovery?.via;
      if (rvia === 'email' || rvia === 'sms') {
        const v = rvia === 'email' ? normalizeIdentifier(value) : value.trim();
        if (!recovery.some((a) => a.value === v && a.via === rvia)) {
          const old = identity.recoveryAddresses.find((a) => a.value === v && a.via === rvia);
          recovery.push(old ?? { id: newId(), value: v, via: rvia, createdAt: now, updatedAt: now });
        }
      }
    }
    return { ...identity, credentials: creds, verifiableAddresses: verifiable, recoveryAddresses: recovery };
  }

  /** Sets (or replaces) the password hash of an identity in memory. */
  withPasswordHash(identity: Identity, hashed: string, now = new Date()): Identity {
    const pw: Credential = identity.credentials.password ?? { type: 'password', identifiers: [], config: {}, version: 0, createdAt: now, updatedAt: now };
    return { ...identity, credentials: { ...identity.credentials, password: { ...pw, config: { ...pw.config, hashed_password: hashed }, updatedAt: now } } };
  }

  /** A new, validated identity that is not stored yet. */
  async build(input: NewIdentityInput, now = new Date()): Promise<Identity> {
    const schemaId = input.schemaId || this.deps.schemas.defaultId;
    this.validator(schemaId);
    if (input.state !== undefined && !STATES.includes(input.state)) throw errIdentityState();
    let identity: Identity = {
      id: newId(),
      schemaId,
      state: input.state ?? 'active',
      stateChangedAt: now,
      traits: input.traits ?? {},
      metadataPublic: input.metadataPublic ?? null,
      metadataAdmin: input.metadataAdmin ?? null,
      externalId: input.externalId ?? null,
      organizationId: input.organizationId ?? null,
      verifiableAddresses: (input.verifiableAddresses ?? []).map((a) => ({
        id: newId(),
        value: normalizeIdentifier(a.value),
        verified: a.verified === true,
        via: a.via ?? 'email',
        status: a.status ?? (a.verified ? 'completed' : 'pending'),
        verifiedAt: a.verified ? (a.verifiedAt ?? now) : null,
        createdAt: now,
        updatedAt: now,
      })),
      recoveryAddresses: (input.recoveryAddresses ?? []).map((a) => ({ id: newId(), value: normalizeIdentifier(a.value), via: a.via ?? 'email', createdAt: now, updatedAt: now })),
      credentials: {},
      createdAt: now,
      updatedAt: now,
    };
    identity = this.applySchema(identity, now);
    const hashed = input.password ? await this.passwordHash(input.password) : undefined;
    if (hashed) identity = this.withPasswordHash(identity, hashed, now);
    return identity;
  }

  /**
   * Validates, hashes (off the event loop) and stores a new identity.
   * Throws PortaError 400 (schema/traits/hash format) or DuplicateCredentialsError.
   */
  async create(input: NewIdentityInput): Promise<Identity> {
    const identity = await this.build(input);
    await this.deps.store.createIdentity(identity);
    return identity;
  }

  /** Login lookup: normalized identifier first, then the raw input (Kratos FindByCredentialsIdentifier). */
  async findByPasswordIdentifier(identifier: string): Promise<Identity | null> {
    if (typeof identifier !== 'string' || identifier.length === 0 || identifier.length > 1024) return null;
    const normalized = normalizeIdentifier(identifier);
    const found = normalized ? await this.deps.store.findIdentityByCredentialIdentifier('password', normalized) : null;
    if (found || normalized === identifier) return found;
    return this.deps.store.findIdentityByCredentialIdentifier('password', identifier);
  }

  /** Verifies a password against the identity's stored hash and upgrades the hash when needed. */
  async verifyPassword(identity: Identity, password: string): Promise<boolean> {
    const hashed = identity.credentials.password?.config?.hashed_password;
    if (typeof hashed !== 'string' || hashed === '') {
      await this.deps.hasher.burn(password);
      return false;
    }
    const ok = await this.deps.hasher.verify(password, hashed);
    if (ok && this.deps.hasher.needsRehash(hashed)) {
      try {
        const upgraded = await this.deps.hasher.hash(password);
        const config = { ...identity.credentials.password!.config, hashed_password: upgraded };
        await this.deps.store.updateCredentialConfig(identity.id, 'password', config);
        identity.credentials.password!.config = config;
      } catch (err) {
        this.deps.logger?.warn({ identityId: identity.id, err: (err as Error).message }, 'password hash upgrade failed');
      }
    }
    return ok;
  }

  async get(id: string): Promise<Identity | null> {
    return this.deps.store.getIdentity(id);
  }

  /**
   * Stores an admin update (false when the identity is gone). Disabling an identity revokes its sessions
   * in the same transaction, so re-activating it does not revive them (Kratos lets them revive, #1811).
   * So does an operator setting a new password or removing a credential (Kratos keeps the sessions): a
   * session opened with the old secret must not outlive the change that was meant to lock it out.
   */
  async update(existing: Identity, updated: Identity, opts: { byOperator?: boolean } = {}): Promise<boolean> {
    // A person changing their own password (settings) keeps their session; the settings flow's
    // revoke_active_sessions hook decides about the others.
    const reason =
      existing.state !== 'inactive' && updated.state === 'inactive'
        ? 'identity_disabled'
        : opts.byOperator && credentialsChanged(existing, updated)
          ? 'admin_credential_change'
          : null;
    if (!reason) return this.deps.store.updateIdentity(updated);
    const r = await this.deps.sessions.revokeWith(reason, (ended) => this.deps.store.updateIdentity(updated, { revokeSessions: ended }));
    return r.result;
  }

  /** Deletes the identity and, in the same transaction, its sessions. False when it does not exist. */
  async delete(id: string): Promise<boolean> {
    const r = await this.deps.sessions.revokeWith('identity_deleted', (ended) => this.deps.store.deleteIdentity(id, ended));
    return r.result;
  }
}

/** A credential removed, or a password hash set or replaced (identifiers following the traits do not count). */
function credentialsChanged(existing: Identity, updated: Identity): boolean {
  for (const type of Object.keys(existing.credentials)) {
    if (!Object.hasOwn(updated.credentials, type)) return true;
  }
  const before = existing.credentials.password?.config?.hashed_password;
  const after = updated.credentials.password?.config?.hashed_password;
  return before !== after;
}

function identifiersOf(result: ValidationResult): string[] {
  const out: string[] = [];
  for (const { ext, value } of result.extensions) {
    if (ext.credentials?.password?.identifier === true && typeof value === 'string') {
      const n = normalizeIdentifier(value);
      if (n) out.push(n);
    }
  }
  return unique(out);
}
