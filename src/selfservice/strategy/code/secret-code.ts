import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * One-time codes of the `code` method (verification, recovery, later login): six digits from a CSPRNG,
 * kept only as an HMAC under the configured secrets, checked in constant time, with a bounded number of
 * tries. Where a code is stored (the flow's internal state, never its JSON) is up to the flow; this module
 * owns only what a code is.
 */
export interface StoredCode {
  /** base64url HMAC-SHA256 of the code under the first secret at issue time. */
  digest: string;
  /** ms since the epoch. */
  expiresAt: number;
  /** Wrong submissions so far. */
  tries: number;
  /** The address the code was sent to (also what it proves control of). */
  address: string;
  identityId?: string;
}

export const CODE_LENGTH = 6;

/** A fresh code: uniform over 000000-999999. */
export function newCode(): string {
  return String(randomInt(0, 10 ** CODE_LENGTH)).padStart(CODE_LENGTH, '0');
}

function digestOf(secret: string, code: string, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`porta-code:${purpose}:${code}`).digest();
}

/** What to store for a code just sent: its digest (never the code itself). */
export function storeCode(secrets: readonly string[], purpose: string, code: string, lifespanMs: number, address: string, identityId?: string): StoredCode {
  return { digest: digestOf(secrets[0], code, purpose).toString('base64url'), expiresAt: Date.now() + lifespanMs, tries: 0, address, identityId };
}

export type CodeCheck = 'ok' | 'wrong' | 'expired' | 'exhausted';

/**
 * Checks a submitted code against the stored one under every configured secret (rotation), in constant
 * time. `wrong` increments `stored.tries` (the caller persists it); after `maxTries` wrong answers the code
 * is `exhausted` whatever is submitted. A code is single use: on `ok` the caller deletes it.
 */
export function checkCode(secrets: readonly string[], purpose: string, stored: StoredCode, submitted: string, maxTries: number, now = Date.now()): CodeCheck {
  if (stored.tries >= maxTries) return 'exhausted';
  if (now > stored.expiresAt) return 'expired';
  const want = Buffer.from(stored.digest, 'base64url');
  // Bounded input: a code is six digits; anything longer cannot match and is not hashed at length.
  const candidate = submitted.trim().slice(0, 32);
  let match = false;
  for (const secret of secrets) {
    const got = digestOf(secret, candidate, purpose);
    if (got.length === want.length && timingSafeEqual(got, want)) match = true;
  }
  if (match) return 'ok';
  stored.tries += 1;
  return stored.tries >= maxTries ? 'exhausted' : 'wrong';
}
