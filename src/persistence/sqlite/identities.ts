import type { Identity } from '../../identity/types.js';
import { DuplicateCredentialsError, type IdentityStore, type ListIdentitiesQuery } from '../../identity/store.js';
import type { EndedSessionsSink } from '../../session/store.js';
import { addressRows, type AddressKind, assertStorableIdentity, credentialOf, encodeRecovery, encodeVerifiable, identifierRows, unmatchable } from '../codec.js';
import { gateWrites, type WriteGate, type WriteKinds } from './gate.js';
import { identityEmbed } from '../../identity/json.js';
import { dateOf, isUniqueViolation, jsonOrNull, ms, SQLITE_WHERE, statements, type DB } from './db.js';
import { IDENTITY_COLUMNS, identityFromRow, type IdentityRow } from './identity-rows.js';
import { ENDED_COLUMNS, endedOf, type EndedRow } from './sessions.js';
import { writeOutbox } from './session-events.js';
import { identityListSql } from '../sql/where.js';

interface CredentialRow {
  identity_id: string;
  type: string;
  config: string;
  version: number;
  identifiers: string;
  created_at: number;
  updated_at: number;
}

const SELECT_IDENTITY = `SELECT ${IDENTITY_COLUMNS} FROM identities i`;
// Identifiers are aggregated per credential so one statement loads every credential of a set of identities.
const SELECT_CREDENTIALS =
  'SELECT c.identity_id, c.type, c.config, c.version, c.created_at, c.updated_at, ' +
  '(SELECT json_group_array(x.identifier) FROM identity_credential_identifiers x WHERE x.identity_id = c.identity_id AND x.type = c.type) AS identifiers ' +
  'FROM identity_credentials c WHERE c.identity_id IN (SELECT value FROM json_each(?))';
/**
 * An identity by one of its addresses: a search of identity_addresses' primary key, then identities by id.
 * Two identities may share an address; the oldest (then lowest id) wins, as a scan in insertion order did.
 */
export const SELECT_BY_ADDRESS =
  `${SELECT_IDENTITY} JOIN identity_addresses a ON a.identity_id = i.id WHERE a.kind = ? AND a.via = ? AND a.value = ? ORDER BY i.created_at, i.id LIMIT 1`;

const IDENTITY_ACCESS: WriteKinds<IdentityStore> = {
  createIdentity: 'write',
  updateIdentity: 'write',
  getIdentity: 'read',
  findIdentityByCredentialIdentifier: 'read',
  findIdentityByVerifiableAddress: 'read',
  findIdentityByRecoveryAddress: 'read',
  findIdentityByExternalId: 'read',
  listIdentities: 'read',
  countIdentities: 'read',
  updateCredentialConfig: 'write',
  deleteIdentity: 'write',
};

export class SqliteIdentityStore implements IdentityStore {
  private readonly q;

  constructor(
    private readonly db: DB,
    gate: WriteGate,
  ) {
    this.q = statements(db);
    gateWrites<IdentityStore>(this, gate, IDENTITY_ACCESS);
  }

  private withCredentials(rows: IdentityRow[]): Identity[] {
    const list = rows.map(identityFromRow);
    if (list.length === 0) return list;
    const byId = new Map(list.map((i) => [i.id, i]));
    const creds = this.q(SELECT_CREDENTIALS).all(JSON.stringify(list.map((i) => i.id))) as CredentialRow[];
    for (const c of creds) {
      const identifiers = (JSON.parse(c.identifiers) as string[]).sort();
      byId.get(c.identity_id)!.credentials[c.type] = credentialOf(c.type, JSON.parse(c.config), c.version, identifiers, dateOf(c.created_at), dateOf(c.updated_at));
    }
    return list;
  }

  /** Credentials, their identifiers and the identity's addresses: the rows an identity write replaces. */
  private writeCredentials(identity: Identity): void {
    const insCred = this.q('INSERT INTO identity_credentials (identity_id, type, config, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    for (const c of Object.values(identity.credentials)) {
      insCred.run(identity.id, c.type, JSON.stringify(c.config ?? {}), c.version ?? 0, ms(c.createdAt), ms(c.updatedAt));
    }
    const insId = this.q('INSERT INTO identity_credential_identifiers (type, identifier, identity_id) VALUES (?, ?, ?)');
    for (const r of identifierRows(identity)) insId.run(r.type, r.identifier, identity.id);
    const insAddr = this.q('INSERT INTO identity_addresses (kind, via, value, identity_id) VALUES (?, ?, ?, ?)');
    for (const a of addressRows(identity)) insAddr.run(a.kind, a.via, a.value, identity.id);
  }

  private guard<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateCredentialsError();
      throw err;
    }
  }

  private values(i: Identity): unknown[] {
    return [
      i.schemaId,
      i.state,
      i.stateChangedAt ? ms(i.stateChangedAt) : null,
      JSON.stringify(i.traits ?? {}),
      jsonOrNull(i.metadataPublic),
      jsonOrNull(i.metadataAdmin),
      i.externalId || null,
      i.organizationId,
      JSON.stringify(encodeVerifiable(i.verifiableAddresses ?? [])),
      JSON.stringify(encodeRecovery(i.recoveryAddresses ?? [])),
      ms(i.updatedAt),
      identityEmbed(i),
    ];
  }

  async createIdentity(identity: Identity): Promise<void> {
    assertStorableIdentity(identity);
    this.guard(() => {
      this.q(
        'INSERT INTO identities (schema_id, state, state_changed_at, traits, metadata_public, metadata_admin, external_id, organization_id, ' +
          'verifiable_addresses, recovery_addresses, updated_at, embed, id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(...this.values(identity), identity.id, ms(identity.createdAt));
      this.writeCredentials(identity);
    });
  }

  async updateIdentity(identity: Identity, opts: { revokeSessions?: EndedSessionsSink } = {}): Promise<boolean> {
    assertStorableIdentity(identity);
    let ended: EndedRow[] = [];
    const ok = this.guard(() => {
      const r = this.q(
        'UPDATE identities SET schema_id = ?, state = ?, state_changed_at = ?, traits = ?, metadata_public = ?, metadata_admin = ?, external_id = ?, ' +
          'organization_id = ?, verifiable_addresses = ?, recovery_addresses = ?, updated_at = ?, embed = ? WHERE id = ?',
      ).run(...this.values(identity), identity.id);
      if (r.changes === 0) return false;
      this.q('DELETE FROM identity_credential_identifiers WHERE identity_id = ?').run(identity.id);
      this.q('DELETE FROM identity_credentials WHERE identity_id = ?').run(identity.id);
      this.q('DELETE FROM identity_addresses WHERE identity_id = ?').run(identity.id);
      this.writeCredentials(identity);
      if (opts.revokeSessions) {
        ended = this.q(`UPDATE sessions SET active = 0 WHERE identity_id = ? AND active = 1 RETURNING ${ENDED_COLUMNS}`).all(identity.id) as EndedRow[];
        if (opts.revokeSessions.outbox) writeOutbox(this.q, opts.revokeSessions.outbox, ended);
      }
      return true;
    });
    // Reported once committed: a rolled-back update ended nothing.
    opts.revokeSessions?.(ended.map(endedOf));
    return ok;
  }

  async getIdentity(id: string): Promise<Identity | null> {
    const row = this.q(`${SELECT_IDENTITY} WHERE i.id = ?`).get(id) as IdentityRow | undefined;
    return row ? this.withCredentials([row])[0] : null;
  }

  async findIdentityByCredentialIdentifier(type: string, identifier: string): Promise<Identity | null> {
    if (unmatchable(type) || unmatchable(identifier)) return null;
    const row = this.q(`${SELECT_IDENTITY} JOIN identity_credential_identifiers x ON x.identity_id = i.id WHERE x.type = ? AND x.identifier = ?`).get(type, identifier) as
      | IdentityRow
      | undefined;
    return row ? this.withCredentials([row])[0] : null;
  }

  async findIdentityByVerifiableAddress(via: string, value: string): Promise<Identity | null> {
    return this.byAddress('verifiable', via, value);
  }

  async findIdentityByRecoveryAddress(via: string, value: string): Promise<Identity | null> {
    return this.byAddress('recovery', via, value);
  }

  private byAddress(kind: AddressKind, via: string, value: string): Identity | null {
    if (unmatchable(via) || unmatchable(value)) return null;
    const row = this.q(SELECT_BY_ADDRESS).get(kind, via, value) as IdentityRow | undefined;
    return row ? this.withCredentials([row])[0] : null;
  }

  async findIdentityByExternalId(externalId: string): Promise<Identity | null> {
    if (unmatchable(externalId)) return null;
    const row = this.q(`${SELECT_IDENTITY} WHERE i.external_id = ?`).get(externalId) as IdentityRow | undefined;
    return row ? this.withCredentials([row])[0] : null;
  }

  async listIdentities(query: ListIdentitiesQuery): Promise<Identity[]> {
    const list = identityListSql(SQLITE_WHERE, SELECT_IDENTITY, query);
    return list ? this.withCredentials(this.q(list.sql).all(...list.args) as IdentityRow[]) : [];
  }

  async countIdentities(): Promise<number> {
    return (this.q('SELECT count(*) AS n FROM identities').get() as { n: number }).n;
  }

  async updateCredentialConfig(identityId: string, type: string, config: Record<string, unknown>): Promise<void> {
    this.q('UPDATE identity_credentials SET config = ?, updated_at = ? WHERE identity_id = ? AND type = ?').run(JSON.stringify(config), Date.now(), identityId, type);
  }

  async deleteIdentity(id: string, ended?: EndedSessionsSink): Promise<boolean> {
    // Credentials, identifiers, addresses and sessions go with it through ON DELETE CASCADE, in the same statement;
    // a caller that wants the ended sessions has them deleted first, in the same transaction, to read them.
    let rows: Array<EndedRow & { active: number }> = [];
    const deleted = this.db.transaction(() => {
      if (ended) rows = this.q(`DELETE FROM sessions WHERE identity_id = ? RETURNING active, ${ENDED_COLUMNS}`).all(id) as typeof rows;
      if (ended?.outbox) writeOutbox(this.q, ended.outbox, rows.filter((r) => r.active === 1));
      return this.q('DELETE FROM identities WHERE id = ?').run(id).changes > 0;
    })();
    ended?.(rows.filter((r) => r.active === 1).map(endedOf));
    return deleted;
  }
}
