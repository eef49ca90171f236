import { STATUS_CODES } from 'node:http';
import { isUnavailableError } from '../x/unavailable.js';

/** Stock messages, as herodot's error_defaults.go has them. */
export const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'The request was malformed or contained invalid parameters',
  401: 'The request could not be authorized',
  403: 'The requested action was forbidden',
  404: 'The requested resource could not be found',
  405: 'The requested method is not allowed for this resource',
  409: 'The resource could not be created due to a conflict',
  410: 'The requested resource is no longer available because it has expired or is otherwise invalid.',
  413: 'The request body is too large',
  415: 'The request used an unsupported media type',
  422: 'The request could not be processed',
  500: 'An internal server error occurred, please contact the system administrator',
  502: 'Upstream error',
  503: 'The service is temporarily unavailable',
};

// Where Go's http.StatusText (what herodot writes as `status`) differs from Node's STATUS_CODES.
const GO_STATUS_TEXT: Record<number, string> = {
  413: 'Request Entity Too Large',
  414: 'Request URI Too Long',
  416: 'Requested Range Not Satisfiable',
  418: "I'm a teapot",
};

/** Go's http.StatusText for a code. */
export function statusText(code: number): string {
  return GO_STATUS_TEXT[code] ?? STATUS_CODES[code] ?? 'Unknown';
}

export interface GenericErrorBody {
  id?: string;
  code: number;
  status: string;
  request?: string;
  reason?: string;
  details?: Record<string, unknown>;
  message: string;
}

export interface PortaErrorInit {
  id?: string;
  reason?: string;
  message?: string;
  details?: Record<string, unknown>;
  /** Extra top-level keys next to `error` (Kratos's EnhanceJSONError, e.g. redirect_browser_to). */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error type of Porta, shaped like herodot's DefaultError so that every client written for
 * Kratos reads it unchanged.
 */
export class PortaError extends Error {
  readonly code: number;
  readonly id?: string;
  readonly reason?: string;
  readonly details?: Record<string, unknown>;
  readonly extra?: Record<string, unknown>;

  constructor(code: number, init: PortaErrorInit = {}) {
    super(init.message ?? DEFAULT_MESSAGES[code] ?? statusText(code), { cause: init.cause });
    this.code = code;
    this.id = init.id;
    this.reason = init.reason;
    this.details = init.details && Object.keys(init.details).length ? init.details : undefined;
    this.extra = init.extra;
  }

  get status(): string {
    return statusText(this.code);
  }

  /** The bare DefaultError object, key order as herodot emits it. */
  toBody(requestId?: string): GenericErrorBody {
    const body: GenericErrorBody = { code: this.code, status: this.status, message: this.message };
    const ordered: Record<string, unknown> = {};
    if (this.id) ordered.id = this.id;
    ordered.code = body.code;
    ordered.status = body.status;
    if (requestId) ordered.request = requestId;
    if (this.reason) ordered.reason = this.reason;
    if (this.details) ordered.details = this.details;
    ordered.message = body.message;
    return ordered as unknown as GenericErrorBody;
  }

  /** The wire payload: `{"error": {...}}` plus any enhanced top-level keys. */
  toPayload(requestId?: string): Record<string, unknown> {
    return { error: this.toBody(requestId), ...(this.extra ?? {}) };
  }
}

/**
 * The database cannot be reached or used right now. Kratos answers 500 here; a 503 tells clients and
 * load balancers that the request may succeed later. The driver's text (host, port, SQL) is never sent.
 */
export const errUnavailable = (cause?: unknown) =>
  new PortaError(503, { reason: 'The database is temporarily unavailable. Please try again later.', cause });

/** Turns anything thrown into a PortaError; unknown errors become a 500 that hides their text. */
export function toPortaError(err: unknown): PortaError {
  if (err instanceof PortaError) return err;
  if (isUnavailableError(err)) return errUnavailable(err);
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    // Fastify's own 4xx (body too large, bad media type, malformed URL): keep the status, Kratos shape.
    return new PortaError(e.statusCode, { reason: e.message });
  }
  return new PortaError(500, { cause: err });
}
