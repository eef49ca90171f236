import type pg from 'pg';
import type { Identity } from '../../identity/types.js';
import { DuplicateCredentialsError, type IdentityStore, type ListIdentitiesQuery } from '../../identity/store.js';
import type { EndedSessionsSink } from '../../session/store.js';
import { addressRows, type AddressKind, assertStorableIdentity, credentialOf, encodeRecovery, encodeVerifiable, identifierRows, isUuid, unmatchable } from '../codec.js';
import { IDENTITY_COLUMNS, identityFromRow, isUniqueViolation, json, jsonOrNull, PG_WHERE, type IdentityRow, type Queryable } from './db.js';
import { identityEmbed } from '../../identity/json.js';
import { endedOf, revokeReturning, type EndedRow } from './sessions.js';
import { identityListSql } from '../sql/where.js';

interface CredentialRow {
  identity_id: string;
  type: string;
  config: unknown;
  version: number;
  identifiers: string[];
  created_at: Date;
  updated_at: Date;
}

const SELECT_IDENTITY = `SELECT ${IDENTITY_COLUMNS} FROM identities i`;
// Identifiers are aggregated per credential so one statement loads every credential of a set of identities.
const SELECT_CREDENTIALS =
  'SELECT c.identity_id, c.type, c.config, c.version, c.created_at, c.updated_at, ' +
  'ARRAY(SELECT x.identifier FROM identity_credential_identifiers x WHERE x.identity_id = c.identity_id AND x.type = c.type ORDER BY x.identifier) AS identifiers ' +
  'FROM identity_credentials c WHERE c.identity_id = ANY($1::uuid[])';
/**
 * An identity by one of its addresses: an index scan of identity_addresses' primary key, then identities by id.
 * Two identities may share an address; the oldest (then lowest id) wins.
 */
export const SELECT_BY_ADDRESS =
  `${SELECT_IDENTITY} JOIN identity_addresses a ON a.identity_id = i.id WHERE a.kind = $1 AND a.via = $2 AND a.value = $3 ORDER BY i.created_at, i.id LIMIT 1`;

export class PgIdentityStore implements IdentityStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly tx: <T>(fn: (c: Queryable) => Promise<T>) => Promise<T>,
  ) {}

  private async withCredentials(rows: IdentityRow[]): Promise<Identity[]> {
    const list = rows.map(identityFromRow);
    if (list.length === 0) return list;
    const byId = new Map(list.map((i) => [i.id, i]));
    const creds = await this.pool.query<CredentialRow>(SELECT_CREDENTIALS, [list.map((i) => i.id)]);
    for (const c of creds.rows) {
      byId.get(c.identity_id)!.credentials[c.type] = credentialOf(c.type, c.config, c.version, c.identifiers, c.created_at, c.updated_at);
    }
    return list;
  }

  /** Credentials, their identifiers and the identity's addresses: the rows an identity write replaces. */
  private async writeCredentials(c: Queryable, identity: Identity): Promise<void> {
    const addrs = addressRows(identity);
    if (addrs.length) {
      await c.query('INSERT INTO identity_addresses (kind, via, value, identity_id) SELECT k, v, a, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS u(k, v, a)', [
        addrs.map((r) => r.kind),
        addrs.map((r) => r.via),
        addrs.map((r) => r.value),
        identity.id,
      ]);
    }
    for (const cred of Object.values(identity.credentials)) {
      await c.query('INSERT INTO identity_credentials (identity_id, type, config, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        identity.id,
        cred.type,
        json(cred.config ?? {}),
        cred.version ?? 0,
        cred.createdAt,
        cred.updatedAt,
      ]);
    }
    const ids = identifierRows(identity);
    if (ids.length === 0) return;
    await c.query('INSERT INTO identity_credential_identifiers (type, identifier, identity_id) SELECT t, v, $3 FROM unnest($1::text[], $2::text[]) AS u(t, v)', [
      ids.map((r) => r.type),
      ids.map((r) => r.identifier),
      identity.id,
    ]);
  }

  private async guard<T>(fn: (c: Queryable) => Promise<T>): Promise<T> {
    try {
      return await this.tx(fn);
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateCredentialsError();
      throw err;
    }
  }

  private values(i: Identity): unknown[] {
    return [
      i.schemaId,
      i.state,
      i.stateChangedAt,
      json(i.traits ?? {}),
      jsonOrNull(i.metadataPublic),
      jsonOrNull(i.metadataAdmin),
      i.externalId || null,
      i.organizationId,
      json(encodeVerifiable(i.verifiableAddresses ?? [])),
      json(encodeRecovery(i.recoveryAddresses ?? [])),
      i.updatedAt,
      identityEmbed(i),
      i.id,
    ];
  }

  async createIdentity(identity: Identity): Promise<void> {
    assertStorableIdentity(identity);
    await this.guard(async (c) => {
      await c.query(
        'INSERT INTO identities (schema_id, state, state_changed_at, traits, metadata_public, metadata_admin, external_id, organization_id, ' +
          'verifiable_addresses, recovery_addresses, updated_at, embed, id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)',
        [...this.values(identity), identity.createdAt],
      );
      await this.writeCredentials(c, identity);
    });
  }

  async updateIdentity(identity: Identity, opts: { revokeSessions?: EndedSessionsSink } = {}): Promise<boolean> {
    assertStorableIdentity(identity);
    if (!isUuid(identity.id)) return false;
    let ended: EndedRow[] = [];
    const ok = await this.guard(async (c) => {
      const r = await c.query(
        'UPDATE identities SET schema_id = $1, state = $2, state_changed_at = $3, traits = $4, metadata_public = $5, metadata_admin = $6, external_id = $7, ' +
          'organization_id = $8, verifiable_addresses = $9, recovery_addresses = $10, updated_at = $11, embed = $12 WHERE id = $13',
        this.values(identity),
      );
      if (r.rowCount === 0) return false;
      await c.query('DELETE FROM identity_credential_identifiers WHERE identity_id = $1', [identity.id]);
      await c.query('DELETE FROM identity_credentials WHERE identity_id = $1', [identity.id]);
      await c.query('DELETE FROM identity_addresses WHERE identity_id = $1', [identity.id]);
      await this.writeCredentials(c, identity);
      if (opts.revokeSessions) {
        ended = await revokeReturning(c, 'UPDATE sessions SET active = false WHERE identity_id = $1 AND active', [identity.id], opts.revokeSessions);
      }
      return true;
    });
    // Reported once committed: a rolled-back update ended nothing.
    opts.revokeSessions?.(ended.map(endedOf));
    return ok;
  }

  async getIdentity(id: string): Promise<Identity | null> {
    if (!isUuid(id)) return null;
    const r = await this.pool.query<IdentityRow>(`${SELECT_IDENTITY} WHERE i.id = $1`, [id]);
    return r.rows.length ? (await this.withCredentials(r.rows))[0] : null;
  }

  async findIdentityByCredentialIdentifier(type: string, identifier: string): Promise<Identity | null> {
    if (unmatchable(type) || unmatchable(identifier)) return null;
    const r = await this.pool.query<IdentityRow>(
      `${SELECT_IDENTITY} JOIN identity_credential_identifiers x ON x.identity_id = i.id WHERE x.type = $1 AND x.identifier = $2`,
      [type, identifier],
    );
    return r.rows.length ? (await this.withCredentials(r.rows))[0] : null;
  }

  async findIdentityByVerifiableAddress(via: string, value: string): Promise<Identity | null> {
    return this.byAddress('verifiable', via, value);
  }

  async findIdentityByRecoveryAddress(via: string, value: string): Promise<Identity | null> {
    return this.byAddress('recovery', via, value);
  }

  private async byAddress(kind: AddressKind, via: string, value: string): Promise<Identity | null> {
    if (unmatchable(via) || unmatchable(value)) return null;
    const r = await this.pool.query<IdentityRow>(SELECT_BY_ADDRESS, [kind, via, value]);
    return r.rows.length ? (await this.withCredentials(r.rows))[0] : null;
  }

  async findIdentityByExternalId(externalId: string): Promise<Identity | null> {
    if (unmatchable(externalId)) return null;
    const r = await this.pool.query<IdentityRow>(`${SELECT_IDENTITY} WHERE i.external_id = $1`, [externalId]);
    return r.rows.length ? (await this.withCredentials(r.rows))[0] : null;
  }

  async listIdentities(query: ListIdentitiesQuery): Promise<Identity[]> {
    const list = identityListSql(PG_WHERE, SELECT_IDENTITY, query);
    if (!list) return [];
    const r = await this.pool.query<IdentityRow>(list.sql, list.args);
    return this.withCredentials(r.rows);
  }

  async countIdentities(): Promise<number> {
    const r = await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM identities');
    return r.rows[0].n;
  }

  async updateCredentialConfig(identityId: string, type: string, config: Record<string, unknown>): Promise<void> {
    if (!isUuid(identityId)) return;
    await this.pool.query('UPDATE identity_credentials SET config = $1, updated_at = now() WHERE identity_id = $2 AND type = $3', [json(config), identityId, type]);
  }

  async deleteIdentity(id: string, ended?: EndedSessionsSink): Promise<boolean> {
    if (!isUuid(id)) {
      ended?.([]);
      return false;
    }
    // Credentials, identifiers, addresses and sessions go with it through ON DELETE CASCADE, in the same statement;
    // a caller that wants the ended sessions has them deleted first, in the same transaction, to read them.
    if (!ended) {
      const r = await this.pool.query('DELETE FROM identities WHERE id = $1', [id]);
      return (r.rowCount ?? 0) > 0;
    }
    let rows: Array<EndedRow & { active: boolean }> = [];
    const deleted = await this.tx(async (c) => {
      // The row lock makes a concurrent session insert (its foreign-key check) wait and then fail, so no
      // session can appear between the read below and the cascade, unreported.
      await c.query('SELECT 1 FROM identities WHERE id = $1 FOR UPDATE', [id]);
      rows = await revokeReturning<EndedRow & { active: boolean }>(c, 'DELETE FROM sessions WHERE identity_id = $1', [id], ended, { activeColumn: true });
      const r = await c.query('DELETE FROM identities WHERE id = $1', [id]);
      return (r.rowCount ?? 0) > 0;
    });
    ended(rows.filter((r) => r.active).map(endedOf));
    return deleted;
  }
}
