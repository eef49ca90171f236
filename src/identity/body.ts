import { PortaError } from '../http/errors.js';
import { INPUT_LIMITS, InputLimitError } from '../http/limits.js';
import { isUUID } from '../x/tokens.js';
import { strictUtf8 } from '../x/utf8.js';
import type { NewIdentityInput } from './manager.js';
import type { IdentityState } from './types.js';
import { errAddressStatus, errAddressVia, errBodyNotUtf8, errDecode, errExternalIdNul, errIdentityState, errImportUnsupported, errJsonTooDeep, errPasswordMigrationUnsupported } from '../http/catalogue/index.js';

/**
 * Go's encoding/json as Kratos uses it on the admin identity bodies: a decoder error becomes the
 * error's `message` (herodot WithError), e.g. `json: unknown field "id"`.
 */
function decodeError(message: string): PortaError {
  return errDecode(message);
}

type Obj = Record<string, unknown>;
type GoType = 'string' | 'bool' | 'object' | 'array' | 'any';

function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** A Go struct description: field → expected JSON type (null always decodes, as in Go). */
interface StructSpec {
  name: string;
  fields: Record<string, { type: GoType; goType: string }>;
}

/** Checks one JSON object against a struct: unknown fields (strict mode) and type mismatches are Go's errors. */
function checkStruct(value: unknown, spec: StructSpec, strict: boolean, path = ''): Obj {
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw decodeError(`json: cannot unmarshal ${goJsonType(value)} into Go value of type ${spec.name}`);
  }
  const obj = value as Obj;
  for (const [key, v] of Object.entries(obj)) {
    const field = spec.fields[key];
    if (!field) {
      if (strict) throw decodeError(`json: unknown field ${JSON.stringify(key)}`);
      continue;
    }
    if (v === null || field.type === 'any') continue;
    const actual = goJsonType(v);
    if (actual !== field.type) {
      throw decodeError(`json: cannot unmarshal ${actual} into Go struct field ${spec.name.split('.').pop()}.${path}${key} of type ${field.goType}`);
    }
  }
  return obj;
}

const str = { type: 'string', goType: 'string' } as const;
const any = { type: 'any', goType: 'json.RawMessage' } as const;

const CREATE: StructSpec = {
  name: 'identity.CreateIdentityBody',
  fields: {
    schema_id: str,
    traits: any,
    credentials: { type: 'object', goType: 'identity.IdentityWithCredentials' },
    verifiable_addresses: { type: 'array', goType: '[]identity.VerifiableAddress' },
    recovery_addresses: { type: 'array', goType: '[]identity.RecoveryAddress' },
    metadata_public: any,
    metadata_admin: any,
    state: { type: 'string', goType: 'identity.State' },
    organization_id: { type: 'string', goType: 'uuid.NullUUID' },
    external_id: str,
    region: str,
  },
};
const UPDATE: StructSpec = {
  name: 'identity.UpdateIdentityBody',
  fields: {
    schema_id: str,
    traits: any,
    credentials: { type: 'object', goType: 'identity.IdentityWithCredentials' },
    metadata_public: any,
    metadata_admin: any,
    state: { type: 'string', goType: 'identity.State' },
    external_id: str,
  },
};
const CREDENTIALS: StructSpec = {
  name: 'identity.IdentityWithCredentials',
  fields: { password: { type: 'object', goType: 'identity.AdminIdentityImportCredentialsPassword' }, oidc: any, saml: any },
};
const PASSWORD: StructSpec = { name: 'identity.AdminIdentityImportCredentialsPassword', fields: { config: { type: 'object', goType: 'identity.AdminIdentityImportCredentialsPasswordConfig' } } };
const PASSWORD_CONFIG: StructSpec = {
  name: 'identity.AdminIdentityImportCredentialsPasswordConfig',
  fields: { password: str, hashed_password: str, use_password_migration_hook: { type: 'bool', goType: 'bool' } },
};
const VERIFIABLE: StructSpec = {
  name: 'identity.VerifiableAddress',
  fields: { id: str, value: str, verified: { type: 'bool', goType: 'bool' }, via: str, status: str, verified_at: str, created_at: str, updated_at: str },
};
const RECOVERY: StructSpec = { name: 'identity.RecoveryAddress', fields: { id: str, value: str, via: str, created_at: str, updated_at: str } };

function passwordOf(credentials: unknown, strict: boolean): NewIdentityInput['password'] {
  const creds = checkStruct(credentials, CREDENTIALS, strict);
  for (const type of ['oidc', 'saml']) {
    if (creds[type] !== undefined && creds[type] !== null) {
      throw errImportUnsupported(type);
    }
  }
  if (creds.password === undefined || creds.password === null) return undefined;
  const config = checkStruct(checkStruct(creds.password, PASSWORD, strict).config, PASSWORD_CONFIG, strict);
  if (config.use_password_migration_hook === true) {
    throw errPasswordMigrationUnsupported();
  }
  const cleartext = typeof config.password === 'string' && config.password !== '' ? config.password : undefined;
  // As in Kratos, a password credential without a password is an import of the empty hash: refused.
  return { cleartext, hashed: typeof config.hashed_password === 'string' ? config.hashed_password : '' };
}

function stateOf(v: unknown): IdentityState | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (v !== 'active' && v !== 'inactive') throw errIdentityState();
  return v;
}

const VIA = new Set(['email', 'sms']);
const STATUSES = new Set(['pending', 'sent', 'completed']);

/** external_id is stored in a text column: NUL cannot be stored by PostgreSQL, so it is a 400, not a 500. */
export function externalIdOf(v: unknown): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw decodeError(`json: cannot unmarshal ${goJsonType(v)} into Go struct field Identity.external_id of type string`);
  if (v.includes('\u0000')) throw errExternalIdNul();
  return v;
}

/** POST /admin/identities body (createIdentityBody), decoded strictly as Kratos does. */
export function decodeCreateBody(body: unknown): NewIdentityInput {
  // Go decodes `null` into an empty struct and Kratos would create an identity from it; a body that
  // says nothing is refused instead.
  if (body === null) throw decodeError('json: cannot unmarshal null into Go value of type identity.CreateIdentityBody');
  const b = checkStruct(body, CREATE, true);
  if (b.organization_id !== undefined && b.organization_id !== null && !isUUID(String(b.organization_id).toLowerCase())) {
    throw decodeError(`uuid: incorrect UUID length ${Buffer.byteLength(String(b.organization_id))} in string ${JSON.stringify(b.organization_id)}`);
  }
  const verifiable = ((b.verifiable_addresses as unknown[] | null) ?? []).map((a) => checkStruct(a, VERIFIABLE, true));
  const recovery = ((b.recovery_addresses as unknown[] | null) ?? []).map((a) => checkStruct(a, RECOVERY, true));
  for (const a of [...verifiable, ...recovery]) {
    if (a.via !== undefined && a.via !== null && !VIA.has(a.via as string)) throw errAddressVia(a.via);
  }
  for (const a of verifiable) {
    if (a.status !== undefined && a.status !== null && !STATUSES.has(a.status as string)) throw errAddressStatus(a.status);
  }
  return {
    schemaId: (b.schema_id as string | undefined) || undefined,
    traits: b.traits === undefined || b.traits === null ? {} : (b.traits as Record<string, unknown>),
    password: b.credentials === undefined ? undefined : passwordOf(b.credentials, true),
    state: stateOf(b.state),
    metadataPublic: b.metadata_public ?? null,
    metadataAdmin: b.metadata_admin ?? null,
    externalId: externalIdOf(b.external_id),
    organizationId: b.organization_id ? String(b.organization_id).toLowerCase() : null,
    verifiableAddresses: verifiable
      .filter((a) => typeof a.value === 'string' && a.value !== '')
      .map((a) => ({ value: a.value as string, verified: a.verified === true, via: (a.via as 'email' | 'sms' | undefined) ?? 'email', status: a.status as 'pending' | 'sent' | 'completed' | undefined })),
    recoveryAddresses: recovery.filter((a) => typeof a.value === 'string' && a.value !== '').map((a) => ({ value: a.value as string, via: (a.via as 'email' | 'sms' | undefined) ?? 'email' })),
  };
}

export interface UpdateBody {
  schemaId?: string;
  traits: unknown;
  password?: NewIdentityInput['password'];
  metadataPublic: unknown;
  metadataAdmin: unknown;
  state?: IdentityState;
  externalId: string | null;
}

/** PUT /admin/identities/{id} body (updateIdentityBody); Kratos decodes it without the strict flag. */
export function decodeUpdateBody(body: unknown): UpdateBody {
  const b = checkStruct(body, UPDATE, false);
  return {
    schemaId: (b.schema_id as string | undefined) || undefined,
    traits: b.traits ?? null,
    password: b.credentials === undefined || b.credentials === null ? undefined : passwordOf(b.credentials, false),
    metadataPublic: b.metadata_public ?? null,
    metadataAdmin: b.metadata_admin ?? null,
    state: stateOf(b.state),
    externalId: externalIdOf(b.external_id),
  };
}

/** Deep enough for any real identity document, shallow enough that no later recursion can overflow the stack. */
export const MAX_JSON_DEPTH = 128;

/**
 * Throws a 400 when a parsed JSON value nests deeper than MAX_JSON_DEPTH, or holds a string or key
 * longer than the input limits (checked without recursion). Long values would otherwise reach schema
 * formats and patterns, hashing and storage at any size up to the 5 MiB body.
 */
export function assertJsonDepth(value: unknown): void {
  const { maxValueLength, maxKeyLength } = INPUT_LIMITS;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v === 'string' && v.length > maxValueLength) throw new InputLimitError(`A value in the JSON document is longer than ${maxValueLength} characters.`);
    if (!v || typeof v !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) throw errJsonTooDeep(MAX_JSON_DEPTH);
    for (const [k, child] of Object.entries(v as object)) {
      if (k.length > maxKeyLength) throw new InputLimitError(`A key in the JSON document is longer than ${maxKeyLength} characters.`);
      stack.push([child, depth + 1]);
    }
  }
}

/** Parses a JSON body the way Go's decoder reports problems (message texts), for the strict create body. */
export function parseGoJson(raw: Buffer | undefined): unknown {
  const text = raw && raw.length ? raw.toString('utf8') : '';
  if (text.trim() === '') throw decodeError('EOF');
  if (!isValidUtf8(raw as Buffer)) throw errBodyNotUtf8();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (err instanceof RangeError) throw errJsonTooDeep(MAX_JSON_DEPTH);
    const m = /position (\d+)/.exec((err as Error).message);
    const pos = m ? Number(m[1]) : text.length;
    if (pos >= text.length) throw decodeError('unexpected EOF');
    throw decodeError(`invalid character ${goChar(text[pos])} looking for beginning of value`);
  }
  assertJsonDepth(value);
  return value;
}

function goChar(c: string): string {
  return c === "'" ? "'\\''" : `'${c}'`;
}

function isValidUtf8(buf: Buffer): boolean {
  return strictUtf8(buf) !== undefined;
}
