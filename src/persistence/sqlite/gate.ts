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

/** Every operation of a store, marked read or write; the type demands an entry for each, so none is forgotten. */
export type WriteKinds<S> = { readonly [K in keyof S]: 'read' | 'write' };

/**
 * Puts the gate in front of every write of `store`, once, at construction: a write that finds the gate
 * closed waits for it (asynchronously) before it runs, and an open gate costs it one boolean check.
 * Reads are left as they are, so whoami never looks at the gate.
 */
export function gateWrites<S extends object>(store: S, gate: WriteGate, kinds: WriteKinds<S>): void {
  const methods = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of Object.keys(kinds) as Array<keyof S & string>) {
    if (kinds[name] !== 'write') continue;
    const run = methods[name]!.bind(store);
    methods[name] = (...args) => (gate.closed ? gate.wait().then(() => run(...args)) : run(...args));
  }
}
