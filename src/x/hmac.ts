import { createHash, createHmac, hash as oneShot } from 'node:crypto';

const BLOCK = 64;
const DIGEST = 32;

/**
 * SHA-256 as bytes. Taken from the one-shot digest as a latin1 ('binary') string and copied into a Buffer:
 * Node 20 renders a 'buffer' digest about 0.6 us slower, and this runs on every whoami and logout.
 */
export const sha256 = (data: string | Uint8Array): Buffer => Buffer.from(oneShot('sha256', data, 'binary'), 'latin1');

/** An HMAC-SHA256 under one fixed key, as bytes or straight as unpadded base64url text. */
export interface FixedKeyHmac {
  (message: string | Uint8Array): Buffer;
  /** The same MAC rendered by the digest call itself: no Buffer in between (the session cookie compares text). */
  base64url(message: string | Uint8Array): string;
}

/**
 * HMAC-SHA256 under one fixed key and an optional fixed context prefix, for the hot paths (the
 * session cookie's MAC on every cookie whoami and logout, the logout token on every browser logout).
 * `createHmac` re-imports the key and re-initialises the MAC on each call, which costs several times
 * the hashing itself. Here the padded key blocks are built once and each call is two one-shot SHA-256
 * digests over a reused scratch buffer: the same bytes as RFC 2104's HMAC (pinned by a test against
 * `createHmac`). Calls are synchronous, so the scratch buffer is never shared between two of them.
 */
export function fixedKeyHmac(key: string | Buffer, context = ''): FixedKeyHmac {
  let k = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (k.length > BLOCK) k = createHash('sha256').update(k).digest();
  const ctx = Buffer.from(context, 'utf8');
  const inner = Buffer.alloc(BLOCK + ctx.length + 256);
  const outer = Buffer.alloc(BLOCK + DIGEST);
  for (let i = 0; i < BLOCK; i++) {
    const b = i < k.length ? k[i] : 0;
    inner[i] = b ^ 0x36;
    outer[i] = b ^ 0x5c;
  }
  ctx.copy(inner, BLOCK);
  const head = BLOCK + ctx.length;
  const room = inner.length - head;

  /** Fills `outer` with the padded outer block and the inner digest; false when the message is too long for the scratch buffer. */
  const innerDigest = (message: string | Uint8Array): boolean => {
    let n: number;
    if (typeof message === 'string') {
      // Messages here are a few dozen bytes; a longer one takes the general path.
      if (message.length * 3 > room) return false;
      n = inner.write(message, head, 'utf8');
    } else {
      if (message.length > room) return false;
      inner.set(message, head);
      n = message.length;
    }
    // Written as latin1 straight into the outer block, for the reason given at sha256().
    outer.write(oneShot('sha256', inner.subarray(0, head + n), 'binary'), BLOCK, 'latin1');
    return true;
  };
  // Strings are hashed as UTF-8, the default of update().
  const general = (message: string | Uint8Array): Buffer => createHmac('sha256', k).update(ctx).update(message).digest();

  const mac = ((message: string | Uint8Array): Buffer =>
    innerDigest(message) ? sha256(outer) : general(message)) as FixedKeyHmac;
  mac.base64url = (message) => (innerDigest(message) ? oneShot('sha256', outer, 'base64url') : general(message).toString('base64url'));
  return mac;
}
