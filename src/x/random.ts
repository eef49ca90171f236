import { randomBytes, randomFillSync } from 'node:crypto';

// One randomFillSync per 4 KiB instead of one randomBytes call (and its buffer) per request: CSRF tokens,
// their one-time pads and cookie nonces are drawn on hot paths. Each pool is a new buffer and every byte
// is handed out once, so no two callers ever share randomness.
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/** n cryptographically random bytes from the pool (a plain randomBytes for requests above the pool size). */
export function pooledRandomBytes(n: number): Buffer {
  if (n > POOL_SIZE) return randomBytes(n);
  if (offset + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    offset = 0;
  }
  const out = pool.subarray(offset, offset + n);
  offset += n;
  return out;
}
