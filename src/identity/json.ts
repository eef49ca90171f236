import type { Config } from '../config/config.js';
import { encodeSchemaId } from '../schema/registry.js';
import { goTime } from '../x/go/time.js';
import { goEscape } from '../x/go/json.js';
import type { Credential, Identity, RecoveryAddress, VerifiableAddress } from './types.js';

export type CredentialsView = 'none' | 'no-config' | { withConfig: string[] };

/** Credential config keys sent only where a config is explicitly requested (admin include_credential). */
const SECRET_CONFIG_KEYS = new Set(['hashed_password']);

/** Go's time.Time JSON for an optional time. */
export function rfc3339(d: Date | null | undefined): string | undefined {
  return d ? goTime(d) : undefined;
}

// whoami embeds an identity on every call; the URL only depends on the (fixed) config and schema id.
const schemaURLs = new WeakMap<Config, Map<string, string>>();

export function schemaURL(config: Config, schemaId: string): string {
  let byId = schemaURLs.get(config);
  if (!byId) schemaURLs.set(config, (byId = new Map()));
  let url = byId.get(schemaId);
  if (url === undefined) {
    url = `${config.publicBaseURL.href.replace(/\/$/, '')}/schemas/${encodeSchemaId(schemaId)}`;
    if (byId.size < 1000) byId.set(schemaId, url);
  }
  return url;
}

function credentialJSON(c: Credential, withConfig: boolean, revealSecrets: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { type: c.type, identifiers: c.identifiers };
  if (withConfig) {
    const config: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c.config ?? {})) if (revealSecrets || !SECRET_CONFIG_KEYS.has(k)) config[k] = v;
    out.config = config;
  }
  out.version = c.version;
  out.created_at = rfc3339(c.createdAt);
  out.updated_at = rfc3339(c.updatedAt);
  return out;
}

export function verifiableAddressJSON(a: VerifiableAddress): Record<string, unknown> {
  const out: Record<string, unknown> = { id: a.id, value: a.value, verified: a.verified, via: a.via, status: a.status };
  if (a.verifiedAt) out.verified_at = rfc3339(a.verifiedAt);
  out.created_at = rfc3339(a.createdAt);
  out.updated_at = rfc3339(a.updatedAt);
  return out;
}

export function recoveryAddressJSON(a: RecoveryAddress): Record<string, unknown> {
  return { id: a.id, value: a.value, via: a.via, created_at: rfc3339(a.createdAt), updated_at: rfc3339(a.updatedAt) };
}

/**
 * Identity JSON as Kratos marshals it (key order of identity.Identity). `none` + no admin metadata is
 * what sessions and self-service responses embed. A null config leaves out `schema_url` (see identityEmbed). `revealSecrets` keeps secret config keys in the configs
 * of `withConfig` types: for the admin API's include_credential views and the in-memory JSON Patch
 * document only.
 */
export function identityToJSON(
  identity: Identity,
  opts: { config: Config | null; credentials: CredentialsView; metadataAdmin: boolean; revealSecrets?: boolean },
): Record<string, unknown> {
  const out: Record<string, unknown> = { id: identity.id };
  if (identity.externalId) out.external_id = identity.externalId;
  if (opts.credentials !== 'none') {
    const creds: Record<string, unknown> = {};
    const withConfig = typeof opts.credentials === 'object' ? opts.credentials.withConfig : [];
    for (const [type, c] of Object.entries(identity.credentials ?? {})) {
      creds[type] = credentialJSON(c, withConfig.includes(type), opts.revealSecrets === true);
    }
    if (Object.keys(creds).length) out.credentials = creds;
  }
  out.schema_id = identity.schemaId;
  if (opts.config) out.schema_url = schemaURL(opts.config, identity.schemaId);
  out.state = identity.state;
  if (identity.stateChangedAt) out.state_changed_at = rfc3339(identity.stateChangedAt);
  out.traits = identity.traits ?? {};
  if (identity.verifiableAddresses?.length) out.verifiable_addresses = identity.verifiableAddresses.map(verifiableAddressJSON);
  if (identity.recoveryAddresses?.length) out.recovery_addresses = identity.recoveryAddresses.map(recoveryAddressJSON);
  out.metadata_public = identity.metadataPublic ?? null;
  if (opts.metadataAdmin) out.metadata_admin = identity.metadataAdmin ?? null;
  out.created_at = rfc3339(identity.createdAt);
  out.updated_at = rfc3339(identity.updatedAt);
  out.organization_id = identity.organizationId ?? null;
  return out;
}

/*
 * The identity as a session embeds it, serialised once when the identity is written (identities.embed)
 * instead of on every whoami. It leaves out `schema_url`, which depends on the configured base URL, and
 * is already Go-escaped, so whoami splices it into its response as it is (withSchemaURL).
 */
export function identityEmbed(identity: Identity): string {
  return goEscape(JSON.stringify(identityToJSON(identity, { config: null, credentials: 'none', metadataAdmin: false })));
}

// `"state":` follows `schema_id` at the top level; inside a JSON string a quote is always escaped, so the
// first `,"state":` of an embed is that key, whatever the id, external_id and schema_id hold.
const STATE_KEY = ',"state":';
const schemaURLParts = new WeakMap<Config, Map<string, string>>();

/** An embed with `,"schema_url":"…"` put back before `state`: the bytes identityToJSON + goJson give. */
export function withSchemaURL(config: Config, schemaId: string, embed: string): string {
  let byId = schemaURLParts.get(config);
  if (!byId) schemaURLParts.set(config, (byId = new Map()));
  let part = byId.get(schemaId);
  if (part === undefined) {
    part = `,"schema_url":${goEscape(JSON.stringify(schemaURL(config, schemaId)))}`;
    if (byId.size < 1000) byId.set(schemaId, part);
  }
  const at = embed.indexOf(STATE_KEY);
  return `${embed.slice(0, at)}${part}${embed.slice(at)}`;
}
