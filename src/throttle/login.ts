import { createHash } from 'node:crypto';
import type { LoginThrottleSettings } from '../config/config.js';
import type { ThrottleCounter, ThrottleStore } from './store.js';

/** What the caller does with an admitted attempt once it knows the outcome. Each settles once. */
export interface LoginTicket {
  /** Wrong password or unknown identifier: the failure stays counted and starts the backoff clock. */
  failed(): Promise<void>;
  /** Right password: the identifier+IP backoff is reset and this attempt is not counted as a failure. */
  succeeded(): Promise<void>;
  /** The attempt was not evaluated after all (e.g. a database error): it counts for nothing. */
  abandon(): Promise<void>;
}

export type Admission = { allowed: true; ticket: LoginTicket } | { allowed: false; retryAfterMs: number };

const noop: LoginTicket = { failed: async () => {}, succeeded: async () => {}, abandon: async () => {} };
// Digests keep identifiers and addresses out of the table and bound the key length.
const digest = (kind: string, value: string) => `login:${kind}:${createHash('sha256').update(value).digest('base64url')}`;

/** The longest possible left shift that keeps the backoff a safe integer (it is capped far below anyway). */
const MAX_DOUBLINGS = 40;

/**
 * Login throttling over the shared throttle counters. Three counters per attempt:
 *  - identifier+IP, a sliding window: consecutive failures; after `freeFailures` each further attempt
 *    must wait `base * 2^(n - free)` (capped) after the last failure; a success resets it;
 *  - identifier (every IP) and IP (every identifier), fixed windows: failures per window, capped.
 * An attempt is counted *before* it is evaluated (one atomic statement for the three counters), so a
 * burst of parallel attempts cannot slip past a limit; a refused attempt and a success give their hit
 * back. The identifier must be normalised by the caller the way login looks it up, and is throttled
 * whether or not an account has it.
 */
export class LoginThrottle {
  /** The clock; tests drive it instead of sleeping. */
  now: () => number = Date.now;

  constructor(
    private readonly store: ThrottleStore,
    private readonly settings: LoginThrottleSettings,
  ) {}

  get enabled(): boolean {
    return this.settings.enabled;
  }

  async admit(identifier: string, ip: string): Promise<Admission> {
    if (!this.settings.enabled) return { allowed: true, ticket: noop };
    const s = this.settings;
    const pair = digest('pair', `${ip}\n${identifier}`);
    const ident = digest('identifier', identifier);
    const addr = digest('ip', ip);
    const now = this.now();
    const [p, i, a] = await this.store.hit(
      [
        { key: pair, windowMs: s.windowMs, sliding: true },
        { key: ident, windowMs: s.windowMs, sliding: false },
        { key: addr, windowMs: s.windowMs, sliding: false },
      ],
      now,
    );
    const waitMs = Math.max(this.backoffWait(p, now), capWait(i, s.perIdentifier, now), capWait(a, s.perIp, now));
    if (waitMs > 0) {
      await this.store.release([pair, ident, addr], [], now);
      return { allowed: false, retryAfterMs: waitMs };
    }
    let settled = false;
    const once = (fn: () => Promise<void>) => async () => {
      if (settled) return;
      settled = true;
      await fn();
    };
    return {
      allowed: true,
      ticket: {
        failed: once(() => this.store.stamp([pair], this.now())),
        succeeded: once(() => this.store.release([ident, addr], [pair], this.now())),
        abandon: once(() => this.store.release([pair, ident, addr], [], this.now())),
      },
    };
  }

  /** How long this attempt must still wait on the identifier+IP backoff; 0 when it may go ahead. */
  private backoffWait(c: ThrottleCounter, now: number): number {
    const before = c.count - 1;
    if (before < this.settings.freeFailures) return 0;
    const doublings = Math.min(before - this.settings.freeFailures, MAX_DOUBLINGS);
    const delay = Math.min(this.settings.baseBackoffMs * 2 ** doublings, this.settings.maxBackoffMs);
    // No stamp yet: the earlier attempts are still being evaluated, so this one waits a full delay.
    const from = c.stampedAt ?? now;
    return Math.max(0, from + delay - now);
  }
}

function capWait(c: ThrottleCounter, limit: number, now: number): number {
  return c.count > limit ? Math.max(1, c.windowEnd - now) : 0;
}
