import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Backend } from '../helpers/harness.js';
import { createPgDatabase } from '../helpers/pg.js';
import { openPersister } from '../../src/persistence/index.js';
import type { Persister } from '../../src/persistence/types.js';
import type { Identity } from '../../src/identity/types.js';
import type { Session } from '../../src/session/types.js';

export const silentLogger = pino({ level: 'silent' }, new Writable({ write: (_c, _e, cb) => cb() }));

export interface Opened {
  persister: Persister;
  dsn: string;
  close(): Promise<void>;
}

/** A fresh, migrated database of the backend: in-memory SQLite or a throwaway PostgreSQL database. */
export async function openBackend(backend: Backend): Promise<Opened> {
  if (backend === 'sqlite') {
    const persister = await openPersister('memory', { logger: silentLogger });
    await persister.migrate();
    return { persister, dsn: 'memory', close: () => persister.close() };
  }
  const db = await createPgDatabase();
  const persister = await openPersister(db.dsn, { logger: silentLogger });
  await persister.migrate();
  return {
    persister,
    dsn: db.dsn,
    close: async () => {
      await persister.close();
      await db.drop();
    },
  };
}

/** Milliseconds precision, as every backend stores it. */
export const at = (offsetMs = 0): Date => new Date(Math.floor(Date.now() / 1000) * 1000 + offsetMs);

export function makeIdentity(over: Partial<Identity> = {}, email = `${randomBytes(5).toString('hex')}@example.org`): Identity {
  const now = at();
  return {
    id: randomUUID(),
    schemaId: 'default',
    state: 'active',
    stateChangedAt: now,
    traits: { email, name: { last: 'Z', first: 'A' } },
    metadataPublic: null,
    metadataAdmin: null,
    externalId: null,
    organizationId: null,
    verifiableAddresses: [
      { id: randomUUID(), value: email, verified: false, via: 'email', status: 'pending', verifiedAt: null, createdAt: now, updatedAt: now },
    ],
    recoveryAddresses: [{ id: randomUUID(), value: email, via: 'email', createdAt: now, updatedAt: now }],
    credentials: {
      password: { type: 'password', identifiers: [email], config: { hashed_password: '$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA' }, version: 0, createdAt: now, updatedAt: now },
    },
    createdAt: now,
    updatedAt: now,
    ...over,
  };
}

export function makeSession(identityId: string, over: Partial<Session> = {}): Session {
  const now = at();
  return {
    id: randomUUID(),
    identityId,
    active: true,
    expiresAt: at(3600_000),
    authenticatedAt: now,
    issuedAt: now,
    lastActiveAt: now,
    aal: 'aal1',
    authenticationMethods: [{ method: 'password', aal: 'aal1', completedAt: now }],
    devices: [{ id: randomUUID(), ipAddress: '127.0.0.1', userAgent: 'test', location: null }],
    createdAt: now,
    updatedAt: now,
    ...over,
  };
}

export const tokenHash = (): Buffer => createHash('sha256').update(randomBytes(32)).digest();
