import { hash as oneShot, randomUUID, timingSafeEqual } from 'node:crypto';
import { pooledRandomBytes } from './random.js';
import { fixedKeyHmac } from './hmac.js';

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Uniform random [a-zA-Z0-9]{n} (rejection sampling, as Kratos's randx does). */
export function randomAlnum(n: number): string {
  let out = '';
  while (out.length < n) {
    for (const b of pooledRandomBytes(n * 2)) {
      if (b < 248) out += ALNUM[b % 62];
      if (out.length === n) break;
    }
  }
  return out;
}

export const SESSION_TOKEN_PREFIX = 'ory_st_';
export const LOGOUT_TOKEN_PREFIX = 'ory_lo_';
export const SESSION_TOKEN_PATTERN = /^ory_st_[A-Za-z0-9]{32}$/;

export function newSessionToken(): string {
  return SESSION_TOKEN_PREFIX + randomAlnum(32);
}

/** Session tokens are stored only as this digest, so a copy of the database cannot be replayed. */
export function hashToken(token: string): Buffer {
  // The one-shot digest: no Hash object per whoami or logout.
  return oneShot('sha256', token, 'buffer') as unknown as Buffer;
}

/**
 * The `length` least significant base-62 digits of the big-endian number in `bytes`, least significant
 * first. Long division of the byte array by 62, in place on a copy: the same digits as BigInt
 * arithmetic without allocating a BigInt per step.
 */
export function base62(bytes: Buffer, length: number): string {
  const n = Uint8Array.from(bytes);
  let out = '';
  let start = 0;
  for (let i = 0; i < length; i++) {
    let rem = 0;
    for (let j = start; j < n.length; j++) {
      const cur = rem * 256 + n[j];
      n[j] = Math.floor(cur / 62);
      rem = cur % 62;
    }
    while (start < n.length && n[start] === 0) start++;
    out += ALNUM[rem];
  }
  return out;
}

// One keyed MAC per secret (there are few, and they live as long as the process).
const logoutMacs = new Map<string, (message: string) => Buffer>();

/**
 * A session's logout token: stable for the session, unforgeable without the secret, and stored
 * nowhere (Kratos keeps it in a column). Same format as Kratos's: ory_lo_ + 32 alphanumerics.
 */
export function deriveLogoutToken(secret: string, sessionId: string): string {
  let mac = logoutMacs.get(secret);
  if (!mac) logoutMacs.set(secret, (mac = fixedKeyHmac(secret, 'porta/logout/')));
  return LOGOUT_TOKEN_PREFIX + base62(mac(sessionId), 32);
}

/** Constant-time string equality (lengths are compared after padding, so they leak nothing either). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  const len = Math.max(ab.length, bb.length, 1);
  const pa = Buffer.alloc(len);
  const pb = Buffer.alloc(len);
  ab.copy(pa);
  bb.copy(pb);
  return timingSafeEqual(pa, pb) && ab.length === bb.length;
}

export const newId = (): string => randomUUID();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUUID = (s: string): boolean => UUID.test(s);
