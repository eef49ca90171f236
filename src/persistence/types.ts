import type { IdentityStore } from '../identity/store.js';
import type { SessionStore } from '../session/store.js';
import type { SessionEventStore } from '../session/events/store.js';
import type { FlowStore } from '../selfservice/flow/store.js';
import type { ErrorStore } from '../selfservice/errors/store.js';
import type { ThrottleStore } from '../throttle/store.js';
import type { CourierStore } from '../courier/store.js';

/** The stores of every domain over one database; each domain declares its own store interface. */
export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

export interface Persister {
  readonly dialect: 'sqlite' | 'postgres';
  readonly identities: IdentityStore;
  readonly sessions: SessionStore;
  readonly flows: FlowStore;
  readonly errors: ErrorStore;
  readonly throttles: ThrottleStore;
  readonly courier: CourierStore;
  readonly sessionEvents: SessionEventStore;
  /** Cheap round trip for /health/ready; rejects when the database is unreachable. */
  ping(): Promise<void>;
  migrationStatus(): Promise<MigrationStatus>;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}
