import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { pooledRandomBytes } from './random.js';

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
  return createHash('sha256').update(token, 'utf8').digest();
}

function base62(bytes: Buffer, length: number): string {
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += ALNUM[Number(n % 62n)];
    n /= 62n;
  }
  return out;
}

/**
 * A session's logout token: stable for the session, unforgeable without the secret, and stored
 * nowhere (Kratos keeps it in a column). Same format as Kratos's: ory_lo_ + 32 alphanumerics.
 */
export function deriveLogoutToken(secret: string, sessionId: string): string {
  return LOGOUT_TOKEN_PREFIX + base62(createHmac('sha256', secret).update(`porta/logout/${sessionId}`).digest(), 32);
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
