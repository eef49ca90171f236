import { PortaError } from '../errors.js';
import { errJsonPayload } from './request.js';
import { NO_ROWS_MESSAGE } from './generic.js';
import { SESSION_INACTIVE_MESSAGE } from './session.js';
import { goQuote } from '../../x/go/quote.js';
import { goTime } from '../../x/go/time.js';

// Self-service flows (login, registration, settings, recovery, verification): the errors Kratos answers
// outside a flow's UI messages, with its ids, reasons and enhanced top-level keys.

export const STRATEGY_DISABLED =
  'This endpoint was disabled by system administrator. Please check your url or contact the system administrator to enable it.';
export const RETURN_TO_FORBIDDEN = 'self_service_flow_return_to_forbidden';

export const errFlowParam = () => new PortaError(400, { reason: 'The flow query parameter is missing or malformed.' });
export const errStrategyDisabled = () => new PortaError(404, { reason: STRATEGY_DISABLED });

/** `reason` is the flow kind's own text (FlowSpec.alreadyLoggedInReason). */
export const errSessionAlreadyAvailable = (reason: string) =>
  new PortaError(400, { id: 'session_already_available', reason, message: 'you are already logged in' });

export const errRegistrationDisabled = () =>
  new PortaError(400, { id: 'self_service_flow_disabled', reason: 'Registration is not allowed because it was disabled.', message: 'registration flow disabled' });
export const errRecoveryDisabled = () =>
  new PortaError(400, { id: 'self_service_flow_disabled', reason: 'Recovery is not allowed because it was disabled.', message: 'recovery flow disabled' });
export const errVerificationDisabled = () => new PortaError(400, { reason: 'Verification is not allowed because it was disabled.' });

export const errAAL1Required = () =>
  new PortaError(401, {
    id: 'session_aal1_required',
    reason: 'You can not requested a higher AAL (AAL2/AAL3) without an active session.',
    message: 'aal2 and aal3 can only be requested if a session exists already',
  });
export const errBadAAL = (got: string) =>
  new PortaError(400, { reason: `Unable to parse AuthenticationMethod Assurance Level (AAL): expected one of [aal1, aal2] but got ${got}` });

export const errOAuth2Unconfigured = () =>
  new PortaError(500, {
    reason: 'refusing to parse login_challenge query parameter because oauth2_provider.url is invalid or unset',
    message: 'Invalid configuration',
  });

/** Kratos's ErrRedirectToNotAllowed: 400 with the URL in Go %q quoting. */
export const errReturnToForbidden = (url: string) =>
  new PortaError(400, { id: RETURN_TO_FORBIDDEN, reason: `Requested return_to URL ${goQuote(url)} is not allowed.` });

/** A return_to that Go's url.Parse refuses (the value in Go %q quoting). */
export const errReturnToUnparsable = (raw: string) =>
  new PortaError(400, { reason: `Unable to parse the return_to query parameter as an URL: parse ${goQuote(raw)}: invalid URL` });

/** flow.ExpiredError as the submit endpoints answer API and SPA clients (410 with use_flow_id). */
export function errFlowExpired(expiresAt: Date, now: Date, useFlowId: string): PortaError {
  const sinceMs = now.getTime() - expiresAt.getTime();
  return new PortaError(410, {
    id: 'self_service_flow_expired',
    reason: `The self-service flow expired ${(sinceMs / 60000).toFixed(2)} minutes ago, initialize a new one.`,
    message: 'self-service flow expired',
    extra: { expired_at: goTime(expiresAt), since: sinceMs * 1e6, use_flow_id: useFlowId },
  });
}

/** GET .../flows on an expired flow: a plain 410 pointing at the init endpoint (`initURL`: the api or browser one). */
export function errFlowGoneAt(kind: string, type: 'api' | 'browser', initURL: string, returnTo: string): PortaError {
  if (type === 'api') {
    return new PortaError(410, {
      id: 'self_service_flow_expired',
      reason: `The ${kind} flow has expired. Call the ${kind} flow init API endpoint to initialize a new ${kind} flow.`,
      details: { api: initURL },
    });
  }
  return new PortaError(410, {
    id: 'self_service_flow_expired',
    reason: `The ${kind} flow has expired. Redirect the user to the ${kind} flow init endpoint to initialize a new ${kind} flow.`,
    details: { redirect_to: initURL, return_to: returnTo },
  });
}

/** flow.ReplacedError: the client must continue with `use_flow_id`. */
export const errFlowReplaced = (reason: string, useFlowId: string) =>
  new PortaError(410, { id: 'self_service_flow_replaced', reason, message: 'self-service flow replaced', extra: { use_flow_id: useFlowId } });

/** Kratos's 422 for JSON clients that must move the browser (flow.NewBrowserLocationChangeRequiredError). */
export const errBrowserLocationChange = (url: string) =>
  new PortaError(422, {
    id: 'browser_location_change_required',
    reason: `In order to complete this flow please redirect the browser to: ${url}`,
    message: 'browser location change required',
    extra: { redirect_browser_to: url },
  });

const API_FLOW_BLOCKED =
  'indicating that this request was made as part of an AJAX request in a Browser. The flow however was initiated as an API request. To prevent potential misuse and mitigate several attack vectors including CSRF, the request has been blocked. Please consult the documentation.';
/** An API flow submitted with an Origin header (an AJAX request from a browser). */
export const errApiFlowOrigin = () => new PortaError(400, { reason: `The HTTP Request Header included the "Origin" key, ${API_FLOW_BLOCKED}` });
/** An API flow submitted with a cookie (a browser). */
export const errApiFlowCookie = () =>
  new PortaError(400, {
    reason:
      'The HTTP Request Header included the "Cookie" key, indicating that this request was made by a Browser. The flow however was initiated as an API request. To prevent potential misuse and mitigate several attack vectors including CSRF, the request has been blocked. Please consult the documentation.',
  });

export const errLoginThrottled = (reason: string, retryAfterSeconds: number) =>
  new PortaError(429, {
    id: 'self_service_login_throttled',
    reason,
    message: 'too many failed login attempts',
    details: { retry_after_seconds: retryAfterSeconds },
  });

/** require_verified_address (login after-hook): no verified address yet; `continueWith` says where to verify. */
export const errVerifiedAddressRequired = (continueWith: unknown[]) =>
  new PortaError(403, {
    id: 'session_verified_address_required',
    reason: "Your account's email or phone address are not verified yet. Please check your email or phone inbox or re-request verification.",
    message: 'your email or phone address is not yet verified',
    details: { continue_with: continueWith },
  });
export const errNoVerifiableAddress = () =>
  new PortaError(500, { reason: 'A misconfiguration prevents login. Expected to find a verification address but this identity does not have one assigned.' });

export const errVerificationNotFound = () =>
  new PortaError(404, { reason: 'The verification request could not be found. Please restart the flow.', message: NO_ROWS_MESSAGE });
export const errSettingsNotFound = () => new PortaError(404, { reason: 'The settings request could not be found. Please restart the flow.' });

/** Kratos's 401 of settings get and submit without a session (settings/strategy_helper.go): no error id. */
export const errSettingsUnauthorized = () =>
  new PortaError(401, { reason: 'A valid Ory Session Cookie or Ory Session Token is missing.', message: 'The request could not be authorized' });
/** The 401 of the native settings init without a session. */
export const errSettingsApiInactive = () =>
  new PortaError(401, {
    id: 'session_inactive',
    reason: 'This endpoint can only be accessed with a valid session. Please log in and try again.',
    message: SESSION_INACTIVE_MESSAGE,
  });
export const errIdentityMismatch = (on: 'get' | 'submit') =>
  new PortaError(403, {
    id: 'security_identity_mismatch',
    reason:
      on === 'get'
        ? 'The request was made for another identity and has been blocked for security reasons.'
        : 'The request was initiated by someone else and has been blocked for security reasons. Please go back and try again.',
  });
/** session_refresh_required: the settings change needs a recent login; `loginURL` is the refresh login. */
export const errSessionRefreshRequired = (loginURL: string) =>
  new PortaError(403, {
    id: 'session_refresh_required',
    reason: 'The login session is too old and thus not allowed to update these fields. Please re-authenticate.',
    extra: { redirect_browser_to: loginURL },
  });

/** POST /admin/recovery/code: its body's refusals. */
export const errBadExpiresIn = (raw: string) =>
  new PortaError(400, { reason: `Unable to parse "expires_in" as a duration string (e.g. "1h", "1m30s", "500ms"): ${raw}` });
export const errExpiresInNotString = () => errJsonPayload('expires_in must be a string');
export const errExpiresInPast = (goDuration: string) => new PortaError(400, { reason: `Value from "expires_in" must result to a future time: ${goDuration}` });
export const errBadRecoveryFlowType = (value: string) => new PortaError(400, { reason: `Value from "flow_type" is not valid: "${value.slice(0, 64)}"` });
