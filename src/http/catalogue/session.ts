import { PortaError } from '../errors.js';

// Sessions: whoami, logout, the session lists and the session-event admin routes.

/** The message of every `session_inactive` error. */
export const SESSION_INACTIVE_MESSAGE = 'request does not have a valid authentication session';

/** Kratos's session.NewErrNoActiveSessionFound (the 401 of the logout endpoints and of Forward). */
export const errNoActiveSession = () =>
  new PortaError(401, {
    id: 'session_inactive',
    reason: 'No active session was found in this request.',
    message: SESSION_INACTIVE_MESSAGE,
  });
export const errWhoamiUnauthorized = () => new PortaError(401, { reason: 'No valid session credentials found in the request.' });
export const errNoSessionCookie = () => new PortaError(401, { reason: 'No valid session cookie found.' });
export const errCannotRevokeCurrent = () => new PortaError(400, { message: 'cannot revoke current session' });
export const errBadExpand = (detail: string) => new PortaError(400, { reason: `Could not parse expand option: ${detail}` });

/** Logout refusals of Porta (the request changed nothing): prefetch/prerender and HEAD. */
export const errLogoutPrefetch = () =>
  new PortaError(400, {
    reason:
      'This logout request was announced as a prefetch or prerender (Sec-Purpose or Purpose header), so nothing was changed. Open the logout link to log out.',
  });
export const errLogoutHead = () =>
  new PortaError(400, { reason: 'A HEAD request does not log out, so nothing was changed. Open the logout link with GET to log out.' });

/** The session-event admin routes (Porta). */
export const errBadDeliveryState = (states: Iterable<string>) => new PortaError(400, { reason: `state must be one of ${[...states].join(', ')}` });
export const errPageSizeRange = (max: number) => new PortaError(400, { reason: `page_size must be between 1 and ${max}` });
export const errAlreadyDelivered = () => new PortaError(409, { reason: 'The delivery was delivered already.' });
export const errBadDeliveryBody = () => new PortaError(400, { reason: 'The body must be an object whose "state" is a string.' });

/** The logout endpoints' refusals (Kratos's texts). */
export const errLogoutTokenMissing = () => new PortaError(400, { reason: 'Please include a token in the URL query.' });
export const errLogoutTokenMismatch = () =>
  new PortaError(403, { reason: 'Unable to log out because the logout token in the URL query does not match the session cookie.' });
export const errUnknownSessionToken = () =>
  new PortaError(403, { reason: 'The provided Ory Session Token could not be found, is invalid, or otherwise malformed.' });
