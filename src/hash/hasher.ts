import type { Config } from '../config/config.js';

/**
 * STUB (owned by the identity helper). Password hashing: argon2id by default (hashers.*), bcrypt when
 * configured; verifies argon2id, argon2i and bcrypt hashes (and the other formats Kratos imports where
 * cheap); never blocks the event loop.
 */
export class Hasher {
  constructor(readonly config: Config) {}
  /** Hash with the configured algorithm. */
  async hash(_password: string): Promise<string> {
    throw new Error('not implemented');
  }
  /** Constant-time verification against any supported stored format; false for unknown formats. */
  async verify(_password: string, _hash: string): Promise<boolean> {
    throw new Error('not implemented');
  }
  /** True when a successfully verified hash should be re-hashed with the configured algorithm/params. */
  needsRehash(_hash: string): boolean {
    throw new Error('not implemented');
  }
  /** Spends about the time of one verification; used for unknown identifiers so timing reveals nothing. */
  async burn(_password: string): Promise<void> {
    throw new Error('not implemented');
  }
}
