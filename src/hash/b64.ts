/**
 * Strict base64 decoders matching Go's encoding/base64 `Strict()` variants: Node's Buffer.from
 * silently skips bad characters, which would let a mangled hash verify against a different salt.
 */
const STD = /^[A-Za-z0-9+/]*$/;

/** RawStdEncoding.Strict(): no padding, canonical trailing bits. */
export function decodeRawStd(s: string): Buffer | null {
  if (!STD.test(s) || s.length % 4 === 1) return null;
  const buf = Buffer.from(s, 'base64');
  return buf.toString('base64').replace(/={1,2}$/, '') === s ? buf : null;
}

/** StdEncoding.Strict(): padded to a multiple of 4, canonical trailing bits. */
export function decodeStd(s: string): Buffer | null {
  if (s.length % 4 !== 0) return null;
  const body = s.replace(/={1,2}$/, '');
  if (!STD.test(body)) return null;
  const buf = Buffer.from(s, 'base64');
  return buf.toString('base64') === s ? buf : null;
}

/** StdEncoding (non-strict, padding required): used by the LDAP {SSHA} format. */
export function decodeStdLoose(s: string): Buffer | null {
  if (s.length % 4 !== 0) return null;
  const body = s.replace(/={1,2}$/, '');
  if (!STD.test(body)) return null;
  return Buffer.from(s, 'base64');
}

export function encodeRawStd(b: Buffer): string {
  return b.toString('base64').replace(/={1,2}$/, '');
}
