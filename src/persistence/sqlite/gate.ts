import { setTimeout as sleep } from 'node:timers/promises';

const MAX_WAIT_MS = 2000;

/**
 * Back-pressure from the checkpoint worker to writers. When the WAL is over its cap, the worker closes
 * the gate and runs a TRUNCATE checkpoint, which needs a moment without writers. A write that finds the
 * gate closed waits asynchronously (the event loop keeps serving reads) instead of racing the worker
 * for the lock; without this, a busy writer starves the checkpoint and the WAL grows without bound.
 * The flag lives in shared memory, so the check on every write costs a few nanoseconds.
 */
export class WriteGate {
  readonly state = new Int32Array(new SharedArrayBuffer(4));

  get closed(): boolean {
    return this.state[0] !== 0;
  }

  /** Resolves once the gate opens; gives up after 2 s so a stuck worker can never stall writes for good. */
  async wait(): Promise<void> {
    const deadline = Date.now() + MAX_WAIT_MS;
    while (this.state[0] !== 0 && Date.now() < deadline) await sleep(1);
  }

  open(): void {
    Atomics.store(this.state, 0, 0);
  }
}
