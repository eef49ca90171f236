import { randomUUID } from 'node:crypto';
import { pooledRandomBytes } from './random.js';
import { fixedKeyHmac, sha256, type FixedKeyHmac } from './hmac.js';

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
  return sha256(token);
}

/**
 * 62^5: each step's `remainder * 2^16 + limb` stays below 2^46, far inside a double's exact integers,
 * so the quotient's floor is exact too (62^6 would come within a rounding step of it).
 */
const CHUNK = 916_132_832;

/**
 * The `length` least significant base-62 digits of the big-endian number in `bytes`, least significant
 * first: the same digits as BigInt arithmetic (pinned by a test against it) without a BigInt per step.
 * Long division of 16-bit limbs by 62^5 gives five digits a pass, so a 32-byte MAC takes seven passes
 * over sixteen limbs rather than thirty-two over thirty-two bytes.
 */
export function base62(bytes: Uint8Array, length: number): string {
  // Most significant limb first; an odd leading byte is a limb of its own.
  const limbs: number[] = [];
  const odd = bytes.length & 1;
  if (odd) limbs.push(bytes[0]);
  for (let i = odd; i < bytes.length; i += 2) limbs.push((bytes[i] << 8) | bytes[i + 1]);
  let out = '';
  let start = 0;
  while (out.length < length) {
    let rem = 0;
    for (let j = start; j < limbs.length; j++) {
      const cur = rem * 65536 + limbs[j];
      const q = Math.floor(cur / CHUNK);
      limbs[j] = q;
      rem = cur - q * CHUNK;
    }
    while (start < limbs.length && limbs[start] === 0) start++;
    for (let k = 0; k < 5 && out.length < length; k++) {
      out += ALNUM[rem % 62];
      rem = Math.floor(rem / 62);
    }
  }
  return out;
}

// One keyed MAC per secret (there are few, and they live as long as the process).
const logoutMacs = new Map<string, FixedKeyHmac>();

/**
 * A session's logout token: stable for the session, unforgeable without the secret, and stored
 * nowhere (Kratos keeps it in a column). Same format as Kratos's: ory_lo_ + 32 alphanumerics.
 */
export function deriveLogoutToken(secret: string, sessionId: string): string {
  let mac = logoutMacs.get(secret);
  if (!mac) logoutMacs.set(secret, (mac = fixedKeyHmac(secret, 'porta/logout/')));
  return LOGOUT_TOKEN_PREFIX + base62(mac(sessionId), 32);
}

/**
 * Constant-time string equality. Every UTF-16 unit up to the longer length is compared and the
 * differences are OR-ed together with no early exit, so the time depends on the lengths alone, which
 * are public here (fixed token formats). Equal UTF-16 units mean equal UTF-8 bytes. A loop rather than
 * `crypto.timingSafeEqual`: that needs two equal-length Buffers, whose encoding and padding cost
 * several times the compare on the logout and cookie paths.
 */
export function safeEqual(a: string, b: string): boolean {
  const n = a.length > b.length ? a.length : b.length;
  let diff = a.length ^ b.length;
  for (let i = 0; i < n; i++) diff |= (i < a.length ? a.charCodeAt(i) : 0) ^ (i < b.length ? b.charCodeAt(i) : 0);
  return diff === 0;
}

export const newId = (): string => randomUUID();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUUID = (s: string): boolean => UUID.test(s);
