import { getHashes } from 'node:crypto';
import { decodeRawStd, decodeStd, decodeStdLoose } from './b64.js';

// OpenSSL 3 ships MD4 only in its legacy provider: such imports would never verify, so they are refused.
const AVAILABLE_DIGESTS = new Set(getHashes());

/**
 * Parsing of every stored-hash format Porta verifies (the ones Kratos imports, kratos-flows-spec.md §4.3).
 * Parsing is separate from verifying so that imports can be checked (format, bounds) without spending
 * any CPU on the password, and so that the cost bounds are enforced before any work is queued.
 */
export type ParsedHash =
  | { kind: 'argon2'; variant: 'argon2id' | 'argon2i'; m: number; t: number; p: number; salt: Buffer; key: Buffer }
  | { kind: 'bcrypt'; cost: number }
  | { kind: 'pbkdf2'; digest: string; iterations: number; salt: Buffer; key: Buffer }
  | { kind: 'scrypt'; n: number; r: number; p: number; salt: Buffer; key: Buffer }
  | { kind: 'firescrypt'; n: number; r: number; p: number; salt: Buffer; separator: Buffer; key: Buffer; signerKey: Buffer }
  | { kind: 'ssha'; digest: string; salt: Buffer; key: Buffer }
  | { kind: 'sha'; digest: string; pf: string; salt: Buffer; key: Buffer }
  | { kind: 'md5'; pf?: string; salt?: Buffer; key: Buffer }
  | { kind: 'hmac'; digest: string; hexDigest: Buffer; hmacKey: Buffer }
  | { kind: 'md5crypt'; salt: Buffer; encoded: string }
  | { kind: 'shacrypt'; alg: 'sha256' | 'sha512'; rounds: number; salt: Buffer; encoded: string };

/** unknown: no known prefix; invalid: known prefix but malformed; bounds: parameters too costly to run. */
export type ParseResult = ParsedHash | { kind: 'unknown' } | { kind: 'invalid' } | { kind: 'bounds' };

/** Kratos's limits (hash/hash_comparator.go): anything above is refused instead of computed. */
export const BOUNDS = {
  argon2MemoryKiB: 1024 * 1024,
  argon2Iterations: 10,
  argon2Parallelism: 16,
  bcryptCost: 15,
  pbkdf2Iterations: 10_000_000,
  scryptN: 1 << 17,
  scryptR: 8,
  scryptP: 10,
  firescryptLogN: 17,
  // Kratos leaves SHA-crypt rounds unbounded (up to 999,999,999: minutes per login); Porta caps them.
  shaCryptRounds: 1_000_000,
} as const;

const INVALID = { kind: 'invalid' } as const;
const OUT_OF_BOUNDS = { kind: 'bounds' } as const;
const PBKDF2_DIGESTS = new Set(['sha1', 'sha224', 'sha256', 'sha384', 'sha512']);
const SHA_DIGESTS = new Set(['sha1', 'sha256', 'sha512']);

function int(s: string | undefined): number {
  return s !== undefined && /^\d{1,10}$/.test(s) ? Number(s) : NaN;
}

function parseArgon2(hash: string, variant: 'argon2id' | 'argon2i'): ParseResult {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[2] !== 'v=19') return INVALID;
  const m = /^m=(\d+),t=(\d+),p=(\d+)$/.exec(parts[3]);
  if (!m) return INVALID;
  const [mem, t, p] = [int(m[1]), int(m[2]), int(m[3])];
  if (![mem, t, p].every(Number.isFinite)) return OUT_OF_BOUNDS;
  if (mem === 0 || mem > BOUNDS.argon2MemoryKiB || t === 0 || t > BOUNDS.argon2Iterations || p === 0 || p > BOUNDS.argon2Parallelism) return OUT_OF_BOUNDS;
  // Go's argon2 silently raises m to 8p; the reference implementation refuses such parameters.
  if (mem < 8 * p) return INVALID;
  const salt = decodeRawStd(parts[4]);
  const key = decodeRawStd(parts[5]);
  if (!salt || !key || key.length < 4 || salt.length < 1) return INVALID;
  return { kind: 'argon2', variant, m: mem, t, p, salt, key };
}

function parseBcrypt(hash: string): ParseResult {
  // The cost is read from the header alone (Go's bcrypt.Cost), so an oversized cost is a bounds error first.
  const m = /^\$2[abzy]?\$(\d{2})\$/.exec(hash);
  if (!m) return INVALID;
  const cost = Number(m[1]);
  if (cost > BOUNDS.bcryptCost) return OUT_OF_BOUNDS;
  if (cost < 4 || !/^\$2[abzy]?\$\d{2}\$[./A-Za-z0-9]{53}$/.test(hash)) return INVALID;
  return { kind: 'bcrypt', cost };
}

function parsePbkdf2(hash: string): ParseResult {
  const parts = hash.split('$');
  if (parts.length !== 5) return INVALID;
  const digest = parts[1].slice('pbkdf2-'.length);
  const m = /^i=(\d+),l=(\d+)$/.exec(parts[2]);
  if (!PBKDF2_DIGESTS.has(digest) || !m) return INVALID;
  const iterations = int(m[1]);
  if (!Number.isFinite(iterations) || iterations === 0 || iterations > BOUNDS.pbkdf2Iterations) return OUT_OF_BOUNDS;
  const salt = decodeRawStd(parts[3]);
  const key = decodeRawStd(parts[4]);
  if (!salt || !key || key.length === 0) return INVALID;
  return { kind: 'pbkdf2', digest, iterations, salt, key };
}

function parseScrypt(hash: string): ParseResult {
  const parts = hash.split('$');
  if (parts.length !== 5) return INVALID;
  // Kratos's quirk: `ln` holds N itself, not log2(N).
  const m = /^ln=(\d+),r=(\d+),p=(\d+)$/.exec(parts[2]);
  if (!m) return INVALID;
  const [n, r, p] = [int(m[1]), int(m[2]), int(m[3])];
  if (![n, r, p].every(Number.isFinite) || n === 0 || n > BOUNDS.scryptN || r === 0 || r > BOUNDS.scryptR || p === 0 || p > BOUNDS.scryptP) return OUT_OF_BOUNDS;
  if (n < 2 || (n & (n - 1)) !== 0) return INVALID;
  const salt = decodeStd(parts[3]);
  const key = decodeStd(parts[4]);
  if (!salt || !key || key.length === 0) return INVALID;
  return { kind: 'scrypt', n, r, p, salt, key };
}

/** Firebase's scrypt variant: `$firescrypt$ln=<log2 N>,r=,p=$salt$hash$salt_separator$signer_key`, std base64. */
function parseFirescrypt(hash: string): ParseResult {
  const parts = hash.split('$');
  if (parts.length !== 7) return INVALID;
  const m = /^ln=(\d+),r=(\d+),p=(\d+)$/.exec(parts[2]);
  if (!m) return INVALID;
  const [ln, r, p] = [int(m[1]), int(m[2]), int(m[3])];
  if (![ln, r, p].every(Number.isFinite) || ln > BOUNDS.firescryptLogN || r === 0 || r > BOUNDS.scryptR || p === 0 || p > BOUNDS.scryptP) return OUT_OF_BOUNDS;
  if (ln < 1) return INVALID;
  const [salt, key, separator, signerKey] = [parts[3], parts[4], parts[5], parts[6]].map(decodeStd);
  if (!salt || !key || !separator || !signerKey || key.length === 0 || key.length !== signerKey.length) return INVALID;
  return { kind: 'firescrypt', n: 2 ** ln, r, p, salt, separator, key, signerKey };
}

function parseSSHA(hash: string): ParseResult {
  const m = /^\{(SSHA|SSHA256|SSHA512)\}(.*)$/s.exec(hash);
  if (!m) return INVALID;
  const [digest, size] = m[1] === 'SSHA' ? ['sha1', 20] : m[1] === 'SSHA256' ? ['sha256', 32] : ['sha512', 64];
  const decoded = decodeStdLoose(m[2]);
  if (!decoded || decoded.length < (size as number) + 1) return INVALID;
  return { kind: 'ssha', digest: digest as string, key: decoded.subarray(0, size as number), salt: decoded.subarray(size as number) };
}

function parsePf(field: string): string | null {
  if (!field.startsWith('pf=')) return null;
  const pf = decodeStd(field.slice(3));
  return pf ? pf.toString('utf8') : null;
}

function parseSHA(hash: string): ParseResult {
  const parts = hash.split('$');
  if (parts.length !== 5 || !SHA_DIGESTS.has(parts[1])) return INVALID;
  const pf = parsePf(parts[2]);
  const salt = decodeStd(parts[3]);
  const key = decodeStd(parts[4]);
  if (pf === null || !salt || !key) return INVALID;
  return { kind: 'sha', digest: parts[1], pf, salt, key };
}

function parseMD5(hash: string): ParseResult {
  const parts = hash.split('$');
  if (parts.length === 3) {
    const key = decodeStd(parts[2]);
    return key ? { kind: 'md5', key } : INVALID;
  }
  if (parts.length !== 5) return INVALID;
  const pf = parsePf(parts[2]);
  const salt = decodeStd(parts[3]);
  const key = decodeStd(parts[4]);
  if (pf === null || !salt || !key) return INVALID;
  return { kind: 'md5', pf, salt, key };
}

function parseHMAC(hash: string): ParseResult {
  const parts = hash.split('$');
  if (parts.length !== 4) return INVALID;
  const digest = parts[1].slice('hmac-'.length);
  if (!AVAILABLE_DIGESTS.has(digest)) return { kind: 'unknown' };
  const hexDigest = decodeStd(parts[2]);
  const hmacKey = decodeStd(parts[3]);
  if (!hexDigest || !hmacKey) return INVALID;
  return { kind: 'hmac', digest, hexDigest, hmacKey };
}

const CRYPT64 = /^[./0-9A-Za-z]*$/;

/** `$md5-crypt$<salt ≤ 8>$<22 chars>` (crypt's `$1$`); the salt part may be empty but must be present. */
function parseMD5Crypt(hash: string): ParseResult {
  const parts = hash.split('$');
  if (parts.length !== 4 || parts[2].length > 8 || parts[3].length !== 22 || !CRYPT64.test(parts[3])) return INVALID;
  return { kind: 'md5crypt', salt: Buffer.from(parts[2], 'utf8'), encoded: parts[3] };
}

/** `$sha256-crypt$[rounds=N$]<salt ≤ 16>$<digest>` (crypt's `$5$` / `$6$`); rounds default 5000, at least 1000. */
function parseSHACrypt(hash: string, alg: 'sha256' | 'sha512'): ParseResult {
  const parts = hash.split('$');
  let rounds = 5000;
  if (parts.length === 5) {
    const m = /^rounds=(\d{1,10})$/.exec(parts[2]);
    if (!m) return INVALID;
    rounds = Math.max(1000, Number(m[1]));
    if (rounds > BOUNDS.shaCryptRounds) return OUT_OF_BOUNDS;
    parts.splice(2, 1);
  }
  if (parts.length !== 4) return INVALID;
  const [salt, encoded] = [parts[2], parts[3]];
  if (salt.length > 16 || encoded.length !== (alg === 'sha256' ? 43 : 86) || !CRYPT64.test(encoded)) return INVALID;
  return { kind: 'shacrypt', alg, rounds, salt: Buffer.from(salt, 'utf8'), encoded };
}

/** First matching prefix wins, in Kratos's order. */
export function parseHash(hash: string): ParseResult {
  if (typeof hash !== 'string' || hash.length > 4096) return { kind: 'unknown' };
  if (hash.startsWith('$md5-crypt$')) return parseMD5Crypt(hash);
  if (/^\$2[abzy]?\$/.test(hash)) return parseBcrypt(hash);
  if (hash.startsWith('$sha256-crypt$')) return parseSHACrypt(hash, 'sha256');
  if (hash.startsWith('$sha512-crypt$')) return parseSHACrypt(hash, 'sha512');
  if (hash.startsWith('$argon2id$')) return parseArgon2(hash, 'argon2id');
  if (hash.startsWith('$argon2i$')) return parseArgon2(hash, 'argon2i');
  if (/^\$pbkdf2-sha[0-9]{1,3}\$/.test(hash)) return parsePbkdf2(hash);
  if (hash.startsWith('$scrypt$')) return parseScrypt(hash);
  if (/^\{SSHA(256|512)?\}/.test(hash)) return parseSSHA(hash);
  if (/^\$sha(1|256|512)\$/.test(hash)) return parseSHA(hash);
  if (hash.startsWith('$firescrypt$')) return parseFirescrypt(hash);
  if (hash.startsWith('$md5$')) return parseMD5(hash);
  if (/^\$hmac-(md4|md5|sha1|sha224|sha256|sha384|sha512)\$/.test(hash)) return parseHMAC(hash);
  return { kind: 'unknown' };
}
