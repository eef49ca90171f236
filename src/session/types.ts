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
 * whoami's read: the session, its identity's head, and the identity's JSON as sessions embed it
 * (identity/json.ts identityEmbed: stored with the identity, or built from the row when it predates that).
 */
export interface SessionWithEmbed {
  session: Session;
  identity: IdentityHead;
  embed: string;
  /** The session's own stored JSON parts (session/json.ts sessionEmbed); null for a row written before them. */
  sessionEmbed: SessionEmbed | null;
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

/** The logouts' read: the session alone, no identity. */
export interface SessionOnly {
  session: Session;
  identity: null;
}

/** Which shape of the session-by-token read a caller needs: full identity, whoami's embed, or none. */
export type SessionView = 'identity' | 'embed' | 'session';
