import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './load.js';
import { parseDuration } from './duration.js';

/**
 * porta.session_events (hooks-and-session-events-spec §C.4.2): the static receivers of session-end
 * events, how they are delivered, and the keys that sign CAEP SETs. Everything is checked here, so a
 * receiver that can never work stops start-up with the key named instead of failing at the first logout.
 * Secrets (auth values, signing_secret, authorization_header, keys) never appear in a message.
 */
export type EventFormat = 'json' | 'caep_set';

export interface SessionEventReceiver {
  id: string;
  url: URL;
  format: EventFormat;
  /** Static headers plus the `auth` header, as sent on every attempt. */
  headers: Record<string, string>;
  /** Standard Webhooks key (the base64 decoding after `whsec_`). */
  signingKey?: Buffer;
  /** Reasons this receiver wants; undefined: all. */
  reasons?: ReadonlySet<string>;
  audience?: string;
}

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  key: KeyObject;
  publicJwk: JsonWebKey & { kid: string; alg: string; use: 'sig' };
}

export interface DeliverySettings {
  timeoutMs: number;
  initialIntervalMs: number;
  multiplier: number;
  maxIntervalMs: number;
  maxAgeMs: number;
  pollIntervalMs: number;
}

export interface SetSettings {
  issuer: string;
  keys: SigningKey[];
  userFormat: 'iss_sub' | 'opaque';
}

export interface SessionEventSettings {
  receivers: SessionEventReceiver[];
  delivery: DeliverySettings;
  /** Present while at least one receiver has format caep_set. */
  set?: SetSettings;
  /** Ids of the receivers an event of this reason goes to. */
  receiversFor(reason: string): string[];
  receiver(id: string): SessionEventReceiver | undefined;
}

type Json = Record<string, any>;
const K = 'porta.session_events';

function dur(key: string, v: string, min = 0): number {
  let n: number;
  try {
    n = parseDuration(v);
  } catch {
    throw new ConfigError(`config key "${key}" is not a valid duration (got ${JSON.stringify(v)})`);
  }
  if (n < min) throw new ConfigError(`config key "${key}" must be at least ${min}ms`);
  return n;
}

function authHeaders(key: string, auth: Json | undefined): Record<string, string> {
  if (!auth) return {};
  const c = auth.config ?? {};
  if (auth.type === 'api_key') {
    if (typeof c.name !== 'string' || typeof c.value !== 'string' || c.name === '') throw new ConfigError(`config key "${key}.config" needs name and value`);
    if ((c.in ?? 'header') === 'cookie') return { cookie: `${c.name}=${c.value}` };
    return { [c.name.toLowerCase()]: c.value };
  }
  if (auth.type === 'basic_auth') {
    if (typeof c.user !== 'string' || typeof c.password !== 'string') throw new ConfigError(`config key "${key}.config" needs user and password`);
    return { authorization: `Basic ${Buffer.from(`${c.user}:${c.password}`).toString('base64')}` };
  }
  throw new ConfigError(`config key "${key}.type" must be api_key or basic_auth`);
}

function receiverOf(r: Json, i: number, warn: (w: string) => void, dev: boolean): SessionEventReceiver {
  const key = `${K}.receivers.${i}`;
  let url: URL;
  try {
    url = new URL(r.url);
  } catch {
    throw new ConfigError(`config key "${key}.url" must be an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`config key "${key}.url" must be an http(s) URL`);
  if (url.protocol === 'http:' && !dev) warn(`config key "${key}.url" uses http://: session events to receiver "${r.id}" travel unencrypted`);
  const format: EventFormat = r.format ?? 'json';
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((r.headers ?? {}) as Record<string, string>)) headers[k.toLowerCase()] = v;
  const out: SessionEventReceiver = { id: r.id, url, format, headers, reasons: r.reasons ? new Set(r.reasons as string[]) : undefined };
  if (format === 'caep_set') {
    if (!r.audience) throw new ConfigError(`config key "${key}.audience" is required for format caep_set`);
    if (r.auth) throw new ConfigError(`config key "${key}.auth" is not allowed for format caep_set (use authorization_header)`);
    if (r.signing_secret) throw new ConfigError(`config key "${key}.signing_secret" is not allowed for format caep_set (SETs are signed with set.signing_keys)`);
    out.audience = r.audience;
    if (r.authorization_header) headers.authorization = r.authorization_header;
  } else {
    if (r.authorization_header) throw new ConfigError(`config key "${key}.authorization_header" is only for format caep_set (use auth)`);
    Object.assign(headers, authHeaders(`${key}.auth`, r.auth));
    if (r.signing_secret !== undefined) {
      const s = String(r.signing_secret);
      const b64 = s.startsWith('whsec_') ? s.slice(6) : '';
      const bytes = Buffer.from(b64, 'base64');
      if (b64 === '' || bytes.length < 16) throw new ConfigError(`config key "${key}.signing_secret" must be whsec_ followed by at least 16 base64-encoded bytes`);
      out.signingKey = bytes;
    }
  }
  return out;
}

function readJwks(key: string, source: string): Json {
  let text: string;
  try {
    if (source.startsWith('base64://')) text = Buffer.from(source.slice(9), 'base64').toString('utf8');
    else if (source.startsWith('file://')) text = readFileSync(fileURLToPath(source), 'utf8');
    else throw new Error('must be a file:// or base64:// URL');
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config key "${key}" could not be read: ${(err as Error).message.split('\n')[0]}`);
  }
}

function signingKeyOf(key: string, jwk: Json): SigningKey {
  if (typeof jwk.kid !== 'string' || jwk.kid === '') throw new ConfigError(`config key "${key}" has a key without "kid"`);
  let priv: KeyObject;
  try {
    priv = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    throw new ConfigError(`config key "${key}": key "${jwk.kid}" is not a private JWK`);
  }
  let alg: 'RS256' | 'ES256';
  const details = priv.asymmetricKeyDetails ?? {};
  if (priv.asymmetricKeyType === 'rsa' && (jwk.alg ?? 'RS256') === 'RS256') {
    if ((details.modulusLength ?? 0) < 2048) throw new ConfigError(`config key "${key}": RSA key "${jwk.kid}" must have at least 2048 bits`);
    alg = 'RS256';
  } else if (priv.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1' && (jwk.alg ?? 'ES256') === 'ES256') {
    alg = 'ES256';
  } else {
    throw new ConfigError(`config key "${key}": key "${jwk.kid}" must be RS256 (RSA ≥ 2048 bits) or ES256 (P-256)`);
  }
  const pub = createPublicKey(priv).export({ format: 'jwk' });
  return { kid: jwk.kid, alg, key: priv, publicJwk: { ...pub, kid: jwk.kid, alg, use: 'sig' } };
}

function setSettings(v: Json, publicBase: URL, dev: boolean, warn: (w: string) => void): SetSettings {
  const key = `${K}.set.signing_keys`;
  let keys: SigningKey[];
  if (v.signing_keys) {
    const jwks = readJwks(key, v.signing_keys);
    const list = Array.isArray(jwks.keys) ? (jwks.keys as Json[]) : [];
    if (list.length === 0) throw new ConfigError(`config key "${key}" must name a JWKS with at least one key`);
    keys = list.map((k) => signingKeyOf(key, k));
    const kids = new Set(keys.map((k) => k.kid));
    if (kids.size !== keys.length) throw new ConfigError(`config key "${key}" has duplicate "kid" values`);
  } else if (dev) {
    warn(`config key "${key}" is not set: an ephemeral RS256 key was generated; SETs fail verification after a restart or across processes`);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys = [signingKeyOf(key, { ...privateKey.export({ format: 'jwk' }), kid: randomUUID() })];
  } else {
    throw new ConfigError(`config key "${key}" is required while a receiver has format caep_set`);
  }
  const issuer = v.issuer ?? publicBase.href.replace(/\/$/, '');
  return { issuer, keys, userFormat: v.user_format ?? 'iss_sub' };
}

/** Parses and checks porta.session_events; warnings go to `warn`. */
export function parseSessionEvents(v: Json | undefined, opts: { publicBase: URL; dev: boolean; warn: (w: string) => void }): SessionEventSettings {
  const raw = v ?? {};
  const receivers = ((raw.receivers ?? []) as Json[]).map((r, i) => receiverOf(r, i, opts.warn, opts.dev));
  const ids = new Set<string>();
  for (const r of receivers) {
    if (ids.has(r.id)) throw new ConfigError(`config key "${K}.receivers" has the id "${r.id}" twice`);
    ids.add(r.id);
  }
  const d = raw.delivery ?? {};
  const delivery: DeliverySettings = {
    timeoutMs: dur(`${K}.delivery.timeout`, d.timeout ?? '10s', 1),
    initialIntervalMs: dur(`${K}.delivery.initial_interval`, d.initial_interval ?? '5s', 10),
    multiplier: d.multiplier ?? 2,
    maxIntervalMs: dur(`${K}.delivery.max_interval`, d.max_interval ?? '10m', 10),
    maxAgeMs: dur(`${K}.delivery.max_age`, d.max_age ?? '72h', 1),
    pollIntervalMs: dur(`${K}.delivery.poll_interval`, d.poll_interval ?? '1s', 10),
  };
  const set = receivers.some((r) => r.format === 'caep_set') ? setSettings(raw.set ?? {}, opts.publicBase, opts.dev, opts.warn) : undefined;
  const byReason = new Map<string, string[]>();
  return {
    receivers,
    delivery,
    set,
    receiversFor(reason) {
      let list = byReason.get(reason);
      if (!list) {
        list = receivers.filter((r) => !r.reasons || r.reasons.has(reason)).map((r) => r.id);
        byReason.set(reason, list);
      }
      return list;
    },
    receiver: (id) => receivers.find((r) => r.id === id),
  };
}
