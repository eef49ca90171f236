import { randomBytes } from 'node:crypto';
import { hash as argon2Hash, type Algorithm } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import type { Config } from '../config/config.js';
import { parseHash, type ParseResult } from './formats.js';
import { BCRYPT_MAX_BYTES, verifyParsed } from './verify.js';
import { WorkLimiter } from './limit.js';

const ARGON2ID = 2 as Algorithm;

/** Why an imported hash cannot be stored (null when it can). */
export type ImportProblem = 'unknown' | 'invalid' | 'bounds' | null;

/**
 * Password hashing: argon2id by default (hashers.*), bcrypt when configured. Verifies argon2id, argon2i,
 * bcrypt and the cheap legacy formats Kratos imports (pbkdf2, scrypt, {SSHA*}, $sha*$, $md5$, $hmac-*$).
 *
 * bcrypt is @node-rs/bcrypt rather than bcryptjs: bcryptjs's "async" API still computes on the event
 * loop in 100 ms slices, which would stall every other request during a login; the napi build runs
 * on the libuv pool like @node-rs/argon2.
 */
export class Hasher {
  /** Every hash and verification goes through it (limit.ts): `porta.hashing.max_concurrent`. */
  readonly limiter: WorkLimiter;

  constructor(readonly config: Config) {
    this.limiter = new WorkLimiter(config.hashMaxConcurrent);
  }

  /** Hash with the configured algorithm. Rejects bcrypt passwords above 72 bytes (bcrypt would truncate them). */
  async hash(password: string): Promise<string> {
    return this.limiter.run(() => this.hashNow(password));
  }

  private async hashNow(password: string): Promise<string> {
    if (this.config.hasherAlgorithm === 'bcrypt') {
      const pw = Buffer.from(password, 'utf8');
      if (pw.length > BCRYPT_MAX_BYTES) throw new PasswordTooLongError(pw.length);
      // 1.10.7 is pinned because newer @node-rs/bcrypt builds lack their platform packages in the registry.
      // It writes `$2y$`; Kratos writes `$2a$`. Both name the same (correct) algorithm, so the prefix is
      // rewritten to match what Kratos and its importers expect.
      return (await bcryptHash(pw, this.bcryptCost)).replace(/^\$2y\$/, '$2a$');
    }
    const a = this.config.argon2;
    return argon2Hash(password, {
      algorithm: ARGON2ID,
      memoryCost: a.memoryKiB,
      timeCost: a.iterations,
      parallelism: a.parallelism,
      outputLen: a.keyLength,
      salt: randomBytes(a.saltLength),
    });
  }

  /** Kratos raises a bcrypt cost below 12 to 12 outside dev mode (driver/config HasherBcrypt). */
  get bcryptCost(): number {
    const cost = this.config.bcryptCost;
    return this.config.dev ? cost : Math.max(cost, 12);
  }

  /** The byte limit the configured algorithm puts on passwords (bcrypt: 72), if any. */
  get maxPasswordBytes(): number | undefined {
    return this.config.hasherAlgorithm === 'bcrypt' ? BCRYPT_MAX_BYTES : undefined;
  }

  /** Constant-time verification against any supported stored format; false for unknown or malformed formats. */
  async verify(password: string, hash: string): Promise<boolean> {
    const parsed = parseHash(hash);
    if (parsed.kind === 'unknown' || parsed.kind === 'invalid' || parsed.kind === 'bounds') return false;
    try {
      return await this.limiter.run(() => verifyParsed(password, parsed, hash));
    } catch {
      // e.g. a digest this OpenSSL build lacks (md4): unverifiable, never a 500.
      return false;
    }
  }

  /** Checks an imported hash without any password work: is it a format Porta can verify, within bounds? */
  importProblem(hash: string): ImportProblem {
    const parsed: ParseResult = parseHash(hash);
    if (parsed.kind === 'unknown' || parsed.kind === 'invalid' || parsed.kind === 'bounds') return parsed.kind;
    return null;
  }

  /** True when a successfully verified hash should be re-hashed with the configured algorithm/params. */
  needsRehash(hash: string): boolean {
    const parsed = parseHash(hash);
    if (this.config.hasherAlgorithm === 'bcrypt') {
      return !(parsed.kind === 'bcrypt' && parsed.cost === this.bcryptCost && /^\$2[ab]\$/.test(hash));
    }
    const a = this.config.argon2;
    return !(
      parsed.kind === 'argon2' &&
      parsed.variant === 'argon2id' &&
      parsed.m === a.memoryKiB &&
      parsed.t === a.iterations &&
      parsed.p === a.parallelism &&
      parsed.key.length === a.keyLength &&
      parsed.salt.length >= a.saltLength
    );
  }

  /** Spends about the time of one verification; used for unknown identifiers so timing reveals nothing. */
  async burn(password: string): Promise<void> {
    try {
      await this.hash(password);
    } catch {
      // Too long for bcrypt: the real path would refuse as fast, so no time needs spending.
    }
  }
}

export class PasswordTooLongError extends Error {
  constructor(readonly actualBytes: number) {
    super(`The password must be at most ${BCRYPT_MAX_BYTES} characters long, but got ${actualBytes}.`);
  }
}
