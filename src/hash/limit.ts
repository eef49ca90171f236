/**
 * Bounds how many password computations run at once. argon2id and bcrypt run on libuv's thread pool, off
 * the event loop, but on the same cores: with four of them in flight on one core the scheduler gives the
 * event loop a fifth of it, and every whoami and logout waits behind the logins. Holding the rest in a
 * FIFO queue keeps a share of the CPU for the event loop and bounds the memory argon2 takes (19 MiB
 * each by default); a burst of logins then waits its turn instead of slowing every other request.
 */
export class WorkLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`WorkLimiter needs a positive integer, got ${max}`);
  }

  /** How many computations run now and how many wait (for tests and metrics). */
  get state(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.max) this.running++;
    // The slot is handed over by the finishing computation (running stays counted), so no newcomer can
    // overtake a waiter.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
