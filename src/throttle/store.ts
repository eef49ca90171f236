/**
 * Counters for throttling, shared by every process through the database. A counter is named by an
 * opaque key (callers hash what they count: an identifier, an IP, an address) and lives for a window;
 * when its window has ended, the next hit starts it again at one. The store knows nothing about what a
 * counter means, so login throttling and the sending limits of email codes use the same table.
 *
 * Every method is one statement, atomic under concurrency: concurrent hits on one key each see a
 * distinct count, so a burst of parallel attempts cannot all pass a limit.
 */
export interface ThrottleHit {
  key: string;
  windowMs: number;
  /** true: every hit pushes the window's end to now + windowMs (forgets after a quiet window); false: fixed window from the first hit. */
  sliding: boolean;
}

export interface ThrottleCounter {
  key: string;
  /** Hits in the current window, this one included. */
  count: number;
  /** Epoch ms at which the window ends. */
  windowEnd: number;
  /** Epoch ms set by `stamp` (e.g. the last failure); null when never stamped in this window. */
  stampedAt: number | null;
}

export interface ThrottleStore {
  /** Adds one to each counter and returns the counters after the hit (same order as `hits`). */
  hit(hits: ThrottleHit[], now: number): Promise<ThrottleCounter[]>;
  /** Takes one hit back from each of `keys` (never below zero) and sets each of `reset` to zero; live windows only. */
  release(keys: string[], reset: string[], now: number): Promise<void>;
  /** Records `now` as the stamp of each counter (live windows only). */
  stamp(keys: string[], now: number): Promise<void>;
  /** Deletes up to `limit` counters whose window ended before `before`; returns how many. */
  deleteExpiredThrottles(before: Date, limit: number): Promise<number>;
}
