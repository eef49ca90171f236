import { createCipheriv, createHash, createHmac, pbkdf2, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { hashRaw as argon2Raw, verify as argon2Verify, type Algorithm } from '@node-rs/argon2';
import { verify as bcryptVerify } from '@node-rs/bcrypt';
import type { ParsedHash } from './formats.js';
import { runCrypt } from './crypt.js';

const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify(scrypt) as (pw: Buffer, salt: Buffer, keylen: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

// @node-rs/argon2 declares Algorithm as a const enum, which isolated-module builds cannot inline.
const ARGON2I = 1 as Algorithm;
const ARGON2ID = 2 as Algorithm;

/** bcrypt ignores bytes after 72; Kratos refuses such passwords rather than truncating them. */
export const BCRYPT_MAX_BYTES = 72;

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function digestOf(alg: string, data: Buffer): Buffer {
  return createHash(alg).update(data).digest();
}

function format(pf: string, salt: Buffer, password: Buffer): Buffer {
  // Kratos substitutes textually ({SALT}, {PASSWORD}); binary salts go through as latin1-safe bytes.
  const parts = pf.split(/(\{SALT\}|\{PASSWORD\})/);
  return Buffer.concat(parts.map((p) => (p === '{SALT}' ? salt : p === '{PASSWORD}' ? password : Buffer.from(p, 'utf8'))));
}

/**
 * Verifies a password against an already parsed (and bounds-checked) hash. The expensive algorithms run
 * on the libuv / napi thread pools, never on the event loop; the cheap legacy digests are microseconds.
 */
export async function verifyParsed(password: string, parsed: ParsedHash, encoded: string): Promise<boolean> {
  const pw = Buffer.from(password, 'utf8');
  switch (parsed.kind) {
    case 'argon2': {
      // The native verifier is the faster path; its PHC parser refuses some shapes Go accepts (salts
      // over 48 bytes, keys over 64), which are then derived directly.
      try {
        return await argon2Verify(encoded, pw);
      } catch {
        // fall through
      }
      const out = await argon2Raw(pw, {
        algorithm: parsed.variant === 'argon2id' ? ARGON2ID : ARGON2I,
        memoryCost: parsed.m,
        timeCost: parsed.t,
        parallelism: parsed.p,
        outputLen: parsed.key.length,
        salt: parsed.salt,
      });
      return equal(out, parsed.key);
    }
    case 'bcrypt':
      if (pw.length > BCRYPT_MAX_BYTES) return false;
      return bcryptVerify(pw, encoded);
    case 'pbkdf2':
      return equal(await pbkdf2Async(pw, parsed.salt, parsed.iterations, parsed.key.length, parsed.digest), parsed.key);
    case 'scrypt': {
      const maxmem = 128 * parsed.n * parsed.r * 2 + 1024 * 1024;
      return equal(await scryptAsync(pw, parsed.salt, parsed.key.length, { N: parsed.n, r: parsed.r, p: parsed.p, maxmem }), parsed.key);
    }
    case 'firescrypt': {
      // Firebase: the scrypt output keys AES-256-CTR (zero IV), which encrypts the project's signer key.
      const maxmem = 128 * parsed.n * parsed.r * 2 + 1024 * 1024;
      const derived = await scryptAsync(pw, Buffer.concat([parsed.salt, parsed.separator]), 32, { N: parsed.n, r: parsed.r, p: parsed.p, maxmem });
      const cipher = createCipheriv('aes-256-ctr', derived, Buffer.alloc(16));
      return equal(Buffer.concat([cipher.update(parsed.signerKey), cipher.final()]), parsed.key);
    }
    case 'ssha':
      return equal(digestOf(parsed.digest, Buffer.concat([pw, parsed.salt])), parsed.key);
    case 'sha':
      return equal(digestOf(parsed.digest, format(parsed.pf, parsed.salt, pw)), parsed.key);
    case 'md5':
      return equal(digestOf('md5', parsed.pf !== undefined && parsed.salt ? format(parsed.pf, parsed.salt, pw) : pw), parsed.key);
    case 'md5crypt':
      return equal(Buffer.from(await runCrypt({ kind: 'md5', pw, salt: parsed.salt })), Buffer.from(parsed.encoded));
    case 'shacrypt':
      return equal(Buffer.from(await runCrypt({ kind: parsed.alg, pw, salt: parsed.salt, rounds: parsed.rounds })), Buffer.from(parsed.encoded));
    case 'hmac':
      return equal(Buffer.from(createHmac(parsed.digest, parsed.hmacKey).update(pw).digest('hex'), 'utf8'), parsed.hexDigest);
  }
}
