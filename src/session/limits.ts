import type { Config } from '../config/config.js';

/** The parts of a session the limits judge (a full Session, or the row a revoking statement returned). */
export interface LimitedSession {
  expiresAt: Date;
  authenticatedAt: Date;
  lastActiveAt: Date;
}

/**
 * Porta's session limits (ASVS 5.0 V7.3): `porta.session.inactivity_timeout` (a session unused that long
 * is over) and `porta.session.max_lifetime` (no session outlives authenticated_at + max_lifetime, whatever
 * extended it). Both 0 = off, and then every method here is the plain expiry check Kratos has.
 */
export class SessionLimits {
  readonly idleMs: number;
  readonly granularityMs: number;
  readonly maxLifetimeMs: number;

  constructor(config: Pick<Config, 'sessionInactivityTimeoutMs' | 'sessionActivityGranularityMs' | 'sessionMaxLifetimeMs'>) {
    this.idleMs = config.sessionInactivityTimeoutMs;
    // Activity is known only to within the granularity, so a session used steadily could still look idle
    // if the granularity came near the timeout: it is kept at most half of it.
    this.granularityMs = this.idleMs > 0 ? Math.min(config.sessionActivityGranularityMs, Math.floor(this.idleMs / 2)) : 0;
    this.maxLifetimeMs = config.sessionMaxLifetimeMs;
  }

  /** The expiry the session really has: the stored one, cut at authenticated_at + max_lifetime. */
  expiresAt(s: Pick<LimitedSession, 'expiresAt' | 'authenticatedAt'>): Date {
    if (this.maxLifetimeMs <= 0) return s.expiresAt;
    const cap = s.authenticatedAt.getTime() + this.maxLifetimeMs;
    return cap < s.expiresAt.getTime() ? new Date(cap) : s.expiresAt;
  }

  /** An expiry someone proposes (login, refresh, extend), clamped to the absolute cap. */
  clamp(proposed: Date, authenticatedAt: Date): Date {
    return this.expiresAt({ expiresAt: proposed, authenticatedAt });
  }

  /** True when the inactivity timeout is on and the session has not been used within it. */
  isIdle(s: Pick<LimitedSession, 'lastActiveAt'>, now = Date.now()): boolean {
    return this.idleMs > 0 && s.lastActiveAt.getTime() + this.idleMs <= now;
  }

  /** Unexpired (after the cap) and not idle: what the stored `active` flag still needs to mean "usable". */
  isLive(s: LimitedSession, now = Date.now()): boolean {
    return this.expiresAt(s).getTime() > now && !this.isIdle(s, now);
  }

  /** True when the recorded activity is stale enough that this use should be written (timeout on only). */
  shouldRecordActivity(s: Pick<LimitedSession, 'lastActiveAt'>, now = Date.now()): boolean {
    return this.idleMs > 0 && now - s.lastActiveAt.getTime() >= this.granularityMs;
  }

  /**
   * Cut-offs for listing "active" sessions in SQL: last activity at or before `idleBefore`, or
   * authentication at or before `authenticatedBefore`, means the session is over. Undefined when off.
   */
  cutoffs(now = Date.now()): { idleBefore?: Date; authenticatedBefore?: Date } {
    return {
      idleBefore: this.idleMs > 0 ? new Date(now - this.idleMs) : undefined,
      authenticatedBefore: this.maxLifetimeMs > 0 ? new Date(now - this.maxLifetimeMs) : undefined,
    };
  }
}
