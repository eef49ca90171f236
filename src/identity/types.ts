export type IdentityState = 'active' | 'inactive';

export interface Credential {
  type: string; // 'password'
  identifiers: string[]; // normalized (lower-cased, trimmed, NFKC)
  config: Record<string, unknown>; // password: { hashed_password }
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface VerifiableAddress {
  id: string;
  value: string;
  verified: boolean;
  via: 'email' | 'sms';
  status: 'pending' | 'sent' | 'completed';
  verifiedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RecoveryAddress {
  id: string;
  value: string;
  via: 'email' | 'sms';
  createdAt: Date;
  updatedAt: Date;
}

export interface Identity {
  id: string;
  schemaId: string;
  state: IdentityState;
  stateChangedAt: Date | null;
  traits: Record<string, unknown>;
  metadataPublic: unknown | null;
  metadataAdmin: unknown | null;
  externalId: string | null;
  organizationId: string | null;
  verifiableAddresses: VerifiableAddress[];
  recoveryAddresses: RecoveryAddress[];
  /** Keyed by credential type. Stores always load them; marshalling decides what a client sees. */
  credentials: Record<string, Credential>;
  createdAt: Date;
  updatedAt: Date;
}
