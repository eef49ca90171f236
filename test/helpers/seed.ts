import type { FastifyRequest } from 'fastify';
import type { Identity } from '../../src/identity/types.js';
import type { Session } from '../../src/session/types.js';
import { newId, randomAlnum } from '../../src/x/tokens.js';
import type { TestApp } from './harness.js';

export interface SeedIdentityOptions {
  email?: string;
  /** Cleartext password, hashed with the app's configured hasher (so login tests can use it). */
  password?: string;
  /** A hash to store as-is instead (e.g. an imported bcrypt hash). */
  hashedPassword?: string;
  state?: 'active' | 'inactive';
  /** Extra traits merged over `{ email, website }` (the e2e email schema requires both). */
  traits?: Record<string, unknown>;
  metadataPublic?: unknown;
  metadataAdmin?: unknown;
}

/**
 * Stores an identity directly through the persister (no HTTP, no schema validation), with the verifiable
 * and recovery address Kratos derives for the email schema and, when asked, a password credential.
 */
export async function seedIdentity(t: TestApp, opts: SeedIdentityOptions = {}): Promise<Identity> {
  const now = new Date();
  const email = opts.email ?? `user-${randomAlnum(10).toLowerCase()}@example.org`;
  const identifier = email.trim().toLowerCase();
  const hashed = opts.hashedPassword ?? (opts.password !== undefined ? await t.app.registry.hasher.hash(opts.password) : undefined);
  const identity: Identity = {
    id: newId(),
    schemaId: t.config.defaultSchemaId,
    state: opts.state ?? 'active',
    stateChangedAt: now,
    traits: { email, website: 'https://www.example.org/', ...(opts.traits ?? {}) },
    metadataPublic: opts.metadataPublic ?? null,
    metadataAdmin: opts.metadataAdmin ?? null,
    externalId: null,
    organizationId: null,
    verifiableAddresses: [
      { id: newId(), value: identifier, verified: false, via: 'email', status: 'pending', verifiedAt: null, createdAt: now, updatedAt: now },
    ],
    recoveryAddresses: [{ id: newId(), value: identifier, via: 'email', createdAt: now, updatedAt: now }],
    credentials:
      hashed === undefined
        ? {}
        : { password: { type: 'password', identifiers: [identifier], config: { hashed_password: hashed }, version: 0, createdAt: now, updatedAt: now } },
    createdAt: now,
    updatedAt: now,
  };
  await t.app.registry.persister.identities.createIdentity(identity);
  return identity;
}

export interface SeedSessionOptions {
  ip?: string;
  userAgent?: string;
  /** Build on an existing session (a refresh login: same id, new token). */
  refresh?: Session;
}

export interface SeededSession {
  session: Session;
  /** The session token (`ory_st_...`), usable as X-Session-Token or Bearer. */
  token: string;
  /** A ready `Cookie` header value: `ory_kratos_session=...` (the configured cookie name). */
  cookie: string;
  /** Just the cookie value. */
  cookieValue: string;
}

/** Creates a session for the identity exactly as a login does (SessionManager.activate) and returns its credentials. */
export async function seedSession(t: TestApp, identity: Identity, opts: SeedSessionOptions = {}): Promise<SeededSession> {
  const req = {
    ip: opts.ip ?? '127.0.0.1',
    headers: { 'user-agent': opts.userAgent ?? 'porta-test/1.0' },
  } as unknown as FastifyRequest;
  const { session, token } = await t.app.registry.sessions.activate(req, identity, { method: 'password', refresh: opts.refresh });
  const cookieValue = t.app.registry.sessions.encodeCookie(token, session);
  return { session, token, cookie: sessionCookieFor(t, token, session), cookieValue };
}

/** A `Cookie` header value carrying the session cookie for this token and session. */
export function sessionCookieFor(t: TestApp, token: string, session: Session): string {
  return `${t.config.sessionCookie.name}=${t.app.registry.sessions.encodeCookie(token, session)}`;
}

/** Identity + session in one call, for tests that only need a logged-in caller. */
export async function seedLogin(t: TestApp, opts: SeedIdentityOptions & SeedSessionOptions = {}): Promise<SeededSession & { identity: Identity }> {
  const identity = await seedIdentity(t, opts);
  return { identity, ...(await seedSession(t, identity, opts)) };
}
