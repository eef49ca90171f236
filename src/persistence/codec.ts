import { isUUID } from '../x/tokens.js';
import type { Credential, Identity, RecoveryAddress, VerifiableAddress } from '../identity/types.js';
import type { AuthenticationMethod, Device } from '../session/types.js';
import { errNulInIdentity, errPageToken } from '../http/catalogue/index.js';

/*
 * Dialect-neutral encoding of the JSON columns. Nested dates travel as ISO strings inside JSON and
 * come back as Date, so both backends hand out identical domain objects.
 */

type Json = Record<string, unknown>;

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
const date = (v: unknown): Date => new Date(v as string);
const dateOrNull = (v: unknown): Date | null => (v == null ? null : new Date(v as string));

export function encodeVerifiable(list: VerifiableAddress[]): Json[] {
  return list.map((a) => ({ ...a, verifiedAt: iso(a.verifiedAt), createdAt: iso(a.createdAt), updatedAt: iso(a.updatedAt) }));
}

export function decodeVerifiable(raw: unknown): VerifiableAddress[] {
  return ((raw as Json[] | null) ?? []).map((a) => ({
    ...(a as unknown as VerifiableAddress),
    verifiedAt: dateOrNull(a.verifiedAt),
    createdAt: date(a.createdAt),
    updatedAt: date(a.updatedAt),
  }));
}

export function encodeRecovery(list: RecoveryAddress[]): Json[] {
  return list.map((a) => ({ ...a, createdAt: iso(a.createdAt), updatedAt: iso(a.updatedAt) }));
}

export function decodeRecovery(raw: unknown): RecoveryAddress[] {
  return ((raw as Json[] | null) ?? []).map((a) => ({ ...(a as unknown as RecoveryAddress), createdAt: date(a.createdAt), updatedAt: date(a.updatedAt) }));
}

export function encodeMethods(list: AuthenticationMethod[]): Json[] {
  return list.map((m) => ({ ...m, completedAt: iso(m.completedAt) }));
}

export function decodeMethods(raw: unknown): AuthenticationMethod[] {
  return ((raw as Json[] | null) ?? []).map((m) => ({ ...(m as unknown as AuthenticationMethod), completedAt: date(m.completedAt) }));
}

export function decodeDevices(raw: unknown): Device[] {
  return (raw as Device[] | null) ?? [];
}

/** One credential row (identifiers already aggregated) into the domain shape. */
export function credentialOf(type: string, config: unknown, version: number, identifiers: string[], createdAt: Date, updatedAt: Date): Credential {
  return { type, identifiers, config: (config as Record<string, unknown>) ?? {}, version, createdAt, updatedAt };
}

const hasNul = (v: string | null | undefined): boolean => typeof v === 'string' && v.includes('\u0000');

/**
 * PostgreSQL text cannot hold NUL, so such a write would fail deep in the driver (a 500). Both backends
 * refuse it up front with the same 400; JSON columns are unaffected (NUL travels escaped as \u0000).
 */
export function assertStorableIdentity(identity: Identity): void {
  const texts = [identity.schemaId, identity.state, identity.externalId, identity.organizationId, ...identifierRows(identity).flatMap((r) => [r.type, r.identifier])];
  if (texts.some(hasNul)) throw errNulInIdentity();
}

/** A lookup value with NUL cannot match anything stored. */
export const unmatchable = (v: string): boolean => hasNul(v);

/** The identifiers an identity claims, deduplicated per credential type (the unique key). */
export function identifierRows(identity: Identity): Array<{ type: string; identifier: string }> {
  const out: Array<{ type: string; identifier: string }> = [];
  for (const cred of Object.values(identity.credentials)) {
    for (const identifier of new Set(cred.identifiers)) out.push({ type: cred.type, identifier });
  }
  return out;
}

export type AddressKind = 'verifiable' | 'recovery';

/**
 * The rows of identity_addresses for an identity: each (kind, via, value) once. An address holding NUL is
 * left out: PostgreSQL text cannot store it, and a lookup with NUL matches nothing anyway (`unmatchable`).
 */
export function addressRows(identity: Identity): Array<{ kind: AddressKind; via: string; value: string }> {
  const seen = new Set<string>();
  const out: Array<{ kind: AddressKind; via: string; value: string }> = [];
  const add = (kind: AddressKind, via: unknown, value: unknown) => {
    if (typeof via !== 'string' || typeof value !== 'string' || hasNul(via) || hasNul(value)) return;
    const key = JSON.stringify([kind, via, value]);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ kind, via, value });
  };
  for (const a of identity.verifiableAddresses ?? []) add('verifiable', a.via, a.value);
  for (const a of identity.recoveryAddresses ?? []) add('recovery', a.via, a.value);
  return out;
}

/*
 * Keyset page tokens: opaque to clients, (created_at ms, id) of the last row of the previous page.
 * A token that does not decode is the client's fault, so it is a 400, never a 500.
 */
export interface SessionCursor {
  createdAt: number;
  id: string;
}

export function encodePageToken(c: SessionCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

export function decodePageToken(token: string): SessionCursor {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string' && /^[0-9a-f-]{36}$/i.test(v[1])) {
      return { createdAt: v[0] as number, id: v[1] as string };
    }
  } catch {
    // falls through to the 400 below
  }
  throw errPageToken();
}

/** PostgreSQL ids are uuid columns: a malformed id cannot match anything, so it never reaches the server. */
export const isUuid = isUUID;

/** Identity columns, aliased with an `i_` prefix so they can sit next to session columns in one row (same SQL on both backends). */
export const IDENTITY_COLUMNS =
  'i.id AS i_id, i.schema_id AS i_schema_id, i.state AS i_state, i.state_changed_at AS i_state_changed_at, i.traits AS i_traits, ' +
  'i.metadata_public AS i_metadata_public, i.metadata_admin AS i_metadata_admin, i.external_id AS i_external_id, ' +
  'i.organization_id AS i_organization_id, i.verifiable_addresses AS i_verifiable_addresses, ' +
  'i.recovery_addresses AS i_recovery_addresses, i.created_at AS i_created_at, i.updated_at AS i_updated_at';

/** A session's head (session/types.ts SessionHead, sql/rows.ts SessionHeadRow): what the token checks need. */
export const SESSION_HEAD_COLUMNS = 's.id, s.identity_id, s.active, s.expires_at, s.authenticated_at, s.last_active_at';

/**
 * whoami's columns (sql/rows.ts WhoamiRow): the session's head and stored parts, the identity's head and
 * stored JSON. Nothing else: a row without a stored part is read again in full (whoamiFromFull).
 */
export const WHOAMI_COLUMNS = `${SESSION_HEAD_COLUMNS}, s.embed_head, s.embed_devices, i.id AS i_id, i.schema_id AS i_schema_id, i.state AS i_state, i.embed AS i_embed`;
