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
