import type { Identity } from '../identity/types.js';

export type AAL = 'aal0' | 'aal1' | 'aal2' | 'aal3';

export interface AuthenticationMethod {
  method: string; // 'password'
  aal: AAL;
  completedAt: Date;
}

export interface Device {
  id: string;
  ipAddress: string | null;
  userAgent: string | null;
  location: string | null;
}

/** A stored session. The token itself is never stored: only its SHA-256 digest (see session/token). */
export interface Session {
  id: string;
  identityId: string;
  /** The stored flag; a session is active for readers only if also unexpired and its identity is active. */
  active: boolean;
  expiresAt: Date;
  authenticatedAt: Date;
  issuedAt: Date;
  /** Last recorded use (login, refresh, whoami at most once per activity_granularity): the inactivity timeout's clock. */
  lastActiveAt: Date;
  aal: AAL;
  authenticationMethods: AuthenticationMethod[];
  devices: Device[];
  createdAt: Date;
  updatedAt: Date;
}

export interface SessionWithIdentity {
  session: Session;
  /** The identity without credentials (credentials is `{}`): whoami never needs them. */
  identity: Identity;
}

/** The identity fields whoami needs besides the identity's JSON. */
export interface IdentityHead {
  id: string;
  state: Identity['state'];
  schemaId: string;
}

/**
 * The session fields whoami reads besides its stored parts: what its checks (stored flag, expiry, limits,
 * activity) and the per-request part of its body (`id`, `active`, `expires_at`) need.
 */
export type SessionHead = Pick<Session, 'id' | 'identityId' | 'active' | 'expiresAt' | 'authenticatedAt' | 'lastActiveAt'>;

/**
 * whoami's read: the session's head, its identity's head, the identity's JSON as sessions embed it
 * (identity/json.ts identityEmbed) and the session's own parts (SessionEmbed): the stored ones, or, for a
 * row written before they were stored, built from the full row.
 */
export interface SessionWithEmbed {
  session: SessionHead;
  identity: IdentityHead;
  embed: string;
  sessionEmbed: SessionEmbed;
}

/**
 * The parts of whoami's body that change only when the session row is written (stored with it as
 * `embed_head` and `embed_devices`), already Go-escaped: the fields from `authenticated_at` to `issued_at`
 * without braces, and the device list. `id`, `active` and `expires_at` stay per request (the last two
 * depend on the clock and the configured limits).
 */
export interface SessionEmbed {
  head: string;
  devices: string;
}

/** The logouts' read: the session's head alone, no identity. */
export interface SessionOnly {
  session: SessionHead;
  identity: null;
}

/** Which shape of the session-by-token read a caller needs: full identity, whoami's embed, or none. */
export type SessionView = 'identity' | 'embed' | 'session';
