import { PortaError, type PortaErrorInit } from '../errors.js';

// herodot's stock errors and the request-level errors every endpoint can answer. The texts are Kratos's
// where Kratos sends the same error, so that clients matching on them keep working.

export const errBadRequest = (init: PortaErrorInit = {}) => new PortaError(400, init);
export const errForbidden = (init: PortaErrorInit = {}) => new PortaError(403, init);
export const errNotFound = (init: PortaErrorInit = {}) => new PortaError(404, init);

/** sqlcon.ErrNoRows: what Kratos answers for an unknown id. */
export const errNoRows = () => new PortaError(404, { message: 'Unable to locate the resource' });

/** A 400 whose message is a Go decoder's own text (json.Unmarshal, strconv), as Kratos passes it through. */
export const errDecode = (message: string) => new PortaError(400, { message });

/** Go's `could not parse parameter <name>` of the admin list endpoints. */
export const errParam = (name: string) => new PortaError(400, { message: `could not parse parameter ${name}` });

/** Keyset pagination: a page token Porta did not issue. */
export const errPageToken = () => new PortaError(400, { reason: 'The page token is invalid, do not craft your own page tokens' });

/** The courier's admin list: a status filter that is not a message status. */
export const errBadMessageStatus = () => new PortaError(400, { reason: 'Message status is not valid' });

/** A router-level answer with only a status (405, 417) or a status and a reason (Fastify's own 4xx). */
export const errStatus = (code: number, reason?: string) => new PortaError(code, { reason });

export const errMethodNotAllowed = () => new PortaError(405);
export const errExpectationFailed = () => new PortaError(417);
export const errUnparsableRequest = () => new PortaError(400, { reason: 'The HTTP request could not be parsed.' });
export const errMissingHost = () => new PortaError(400, { reason: 'missing required Host header' });
export const errBadPercentEncoding = () => new PortaError(400, { reason: 'The request URL is not validly percent-encoded UTF-8.' });
export const errPathSegmentTooLong = () => new PortaError(414, { reason: 'A path segment of the request URL is too long.' });

/** The admin API's own guards (Porta: loopback, API keys, JSON-only bodies). */
export const errAdminCrossSite = () => new PortaError(403, { reason: 'The admin API does not accept cross-site browser requests.' });
export const errAdminKeyRequired = () =>
  new PortaError(401, { reason: 'This endpoint requires an admin API key, sent as "Authorization: Bearer <key>".' });
export const errUnsupportedMediaType = (method: string, contentType: string, allowed: Iterable<string>) =>
  new PortaError(415, {
    reason: `HTTP ${method} Request used unknown HTTP Header "Content-Type: ${contentType.slice(0, 200)}", only [${[...allowed].join(', ')}] are supported.`,
  });

/** The CSRF 403 (nosurfx); `details` carries the docs link, hint and reject reason the caller chose. */
export const errCsrfViolation = (reason: string, message: string, details: Record<string, string>) =>
  new PortaError(403, { id: 'security_csrf_violation', reason, message, details });

/** Kratos's error-UI stub (`GET /self-service/errors?id=stub:500`). */
export const errStub = () => new PortaError(500, { reason: 'This is a stub error.' });
