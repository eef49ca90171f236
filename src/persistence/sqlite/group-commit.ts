import type { DB } from './db.js';
import type { WriteGate } from './gate.js';

interface Pending {
  write: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for the hot single-statement writes (the logouts' revokes). In WAL mode a good part of
 * what a revoke costs is the commit around its statement: the WAL write lock and read mark (six fcntl
 * calls), the frame header, the wal-index update. A revoke in its own transaction measured 16.8-18.4 us
 * on a 100k-session database and 29.9-30.4 us on a 1M one; the same revokes ten to a transaction,
 * 11.6-12.5 and 18.8-20.7 (bench/group-commit.ts). Under load many requests reach their revoke in the
 * same turn of the event loop, so each one queues its write here and the writes queued in one turn
 * commit together at the end of it (setImmediate: after the turn's I/O callbacks and their promise
 * chains).
 *
 * Nothing a client sees changes: each caller's promise settles only after the transaction holding its
 * write has committed, with that write's own result, so a logout still answers after its revocation
 * is as durable as any commit (synchronous=NORMAL). A write that throws rolls the whole group back and
 * every write of the group is then run again on its own, so each caller gets exactly the result or
 * error it would have had alone and no write depends on another's fate. A lone write runs on its own,
 * as before.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly begin;
  private readonly commit;

  constructor(
    private readonly db: DB,
    private readonly gate: WriteGate,
  ) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
  }

  /** Runs `write` (synchronous statements on this connection) in the next group; settles after its commit. */
  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  /** Commits whatever is queued now (before the connection closes). */
  drain(): void {
    const batch = this.queue;
    this.queue = [];
    if (batch.length > 0) this.commitGroup(batch);
  }

  private readonly flush = (): void => {
    // The checkpoint worker closed the gate for its tail: the group waits like any other write, and like
    // any other write goes ahead once the wait gives up (gate.ts).
    if (this.gate.closed) {
      void this.gate.wait().then(this.commitQueued);
      return;
    }
    this.commitQueued();
  };

  private readonly commitQueued = (): void => {
    this.scheduled = false;
    this.drain();
  };

  private commitGroup(batch: Pending[]): void {
    if (!this.db.open) {
      for (const p of batch) p.reject(new Error('the database connection is not open'));
      return;
    }
    // A lone write, or one queued while a caller's own transaction is open, gains nothing from a group.
    if (batch.length === 1 || this.db.inTransaction) return this.alone(batch);
    const results: unknown[] = [];
    try {
      this.begin.run();
      for (const p of batch) results.push(p.write());
      this.commit.run();
    } catch {
      // Some errors (SQLITE_FULL, I/O) end the transaction themselves; otherwise it is still open.
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // Nothing more to undo: each write below then meets the connection's state on its own.
      }
      return this.alone(batch);
    }
    batch.forEach((p, i) => p.resolve(results[i]));
  }

  private alone(batch: Pending[]): void {
    for (const p of batch) {
      try {
        p.resolve(p.write());
      } catch (err) {
        p.reject(err);
      }
    }
  }
}
