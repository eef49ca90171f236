import { PortaError } from '../errors.js';

// Request decoding: bodies (JSON, forms, multipart) and query strings, as Kratos's decoderx and Go's
// parsers report them. Shared by the admin API and the self-service flows.

export const errBodyNotUtf8 = () => new PortaError(400, { reason: 'Unable to decode HTTP Request Body because it is not valid UTF-8.' });
export const errBodyEmpty = () =>
  new PortaError(400, { reason: 'Unable to decode HTTP Request Body because its HTTP Header "Content-Length" is zero.' });
/** `detail` is the decoder's own text (Go's json error, or Porta's description of the field). */
export const errJsonPayload = (detail: string) => new PortaError(400, { reason: `Unable to decode JSON payload: ${detail}` });
export const errJsonNotObject = (gotType: string) =>
  new PortaError(400, { reason: `Expected JSON sent in request body to be an object but got: ${gotType}` });
export const errJsonTooDeep = (maxDepth: number) => new PortaError(400, { reason: `The JSON document is nested deeper than ${maxDepth} levels.` });
/** A urlencoded or multipart form body that does not parse; `detail` is Go's text (e.g. `multipart: NextPart: EOF`). */
export const errFormBody = (detail: string) => new PortaError(400, { reason: `Unable to decode HTTP POST form body: ${detail}` });
/** The admin API's form reader (http/body.ts): a bad percent escape. */
export const errBodyUrlEscape = (detail: string) => new PortaError(400, { reason: `invalid URL escape in request body: ${detail}` });
export const errBadQuery = () => new PortaError(400, { reason: 'The request query contains invalid percent-encoding or invalid UTF-8.' });

/** The reason of both Content-Type refusals; `allowed` is the list as the endpoint prints it. */
export const unknownContentTypeReason = (method: string, contentType: string, allowed: string) =>
  `HTTP ${method} Request used unknown HTTP Header "Content-Type: ${contentType}", only [${allowed}] are supported.`;
/** The 400 of a body decoder that does not know the media type (Kratos's decoderx). */
export const errUnknownContentType = (method: string, contentType: string, allowed: string) =>
  new PortaError(400, { reason: unknownContentTypeReason(method, contentType, allowed) });
