/** Flow kinds are declared by their modules (flow/kinds.ts); the stored kind column holds one of them. */
export type FlowKind = 'login' | 'registration' | (string & {});
export type FlowType = 'api' | 'browser';

/**
 * A persisted self-service flow. `data` holds the Kratos flow JSON fields that are not columns
 * (request_url, return_to, ui, refresh, requested_aal, state, ...), owned by the flow modules.
 */
export interface StoredFlow {
  id: string;
  kind: FlowKind;
  type: FlowType;
  expiresAt: Date;
  issuedAt: Date;
  /** The raw (unmasked) CSRF token the flow is bound to; '' for API flows. */
  csrfToken: string;
  data: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/** A self-service error container (`GET /self-service/errors?id=`). */
export interface StoredError {
  id: string;
  /** The bare herodot DefaultError object, without the `{"error": ...}` wrapper. */
  error: Record<string, unknown>;
  csrfToken: string;
  seenAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}
