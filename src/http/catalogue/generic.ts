import { PortaError } from '../errors.js';
import { unknownContentTypeReason } from './request.js';

// herodot's stock errors and the request-level errors every endpoint can answer. The texts are Kratos's
// where Kratos sends the same error, so that clients matching on them keep working.

/** The router's 404 for a path no route serves: herodot's stock text only. */
export const errNotFound = () => new PortaError(404);

/** sqlcon.ErrNoRows's message, which Kratos also sends with some 404 reasons. */
export const NO_ROWS_MESSAGE = 'Unable to locate the resource';
/** sqlcon.ErrNoRows: what Kratos answers for an unknown id. */
export const errNoRows = () => new PortaError(404, { message: NO_ROWS_MESSAGE });

/** A 400 whose message is a Go decoder's own text (json.Unmarshal, strconv), as Kratos passes it through. */
export const errDecode = (message: string) => new PortaError(400, { message });

/** Go's `could not parse parameter <name>` of the admin list endpoints; `reason` is strconv's text where Kratos sends it. */
export const errParam = (name: string, reason?: string) => new PortaError(400, { reason, message: `could not parse parameter ${name}` });

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
  new PortaError(415, { reason: unknownContentTypeReason(method, contentType.slice(0, 200), [...allowed].join(', ')) });

/** The CSRF 403 (nosurfx); `details` carries the docs link, hint and reject reason the caller chose. */
export const errCsrfViolation = (reason: string, message: string, details: Record<string, string>) =>
  new PortaError(403, { id: 'security_csrf_violation', reason, message, details });

/** Kratos's error-UI stub (`GET /self-service/errors?id=stub:500`). */
export const errStub = () => new PortaError(500, { reason: 'This is a stub error.' });
