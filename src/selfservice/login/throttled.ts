import type { FastifyReply, FastifyRequest } from 'fastify';
import { isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { normalizeIdentifier } from '../../identity/normalize.js';
import type { Admission, LoginThrottle } from '../../throttle/login.js';
import { uiText, type UiText } from '../../x/text.js';
import { FlowFormError } from '../flow/errors.js';
import type { StoredFlow } from '../flow/types.js';
import { errLoginThrottled } from '../../http/catalogue/index.js';

/** What the login submit needs for throttling. */
export interface LoginThrottleDeps {
  loginThrottle: LoginThrottle;
  clientIp: (req: FastifyRequest) => string;
}

/**
 * Porta's own message for a throttled login (Kratos has none): an id in Kratos's validation range
 * (4000xxx) that Kratos does not use, named after the HTTP status.
 */
export const THROTTLED_MESSAGE_ID = 4000429;

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export function throttledMessage(retryAfterMs: number): UiText {
  const s = seconds(retryAfterMs);
  return uiText(THROTTLED_MESSAGE_ID, `Too many failed login attempts. Please wait ${s} second${s === 1 ? '' : 's'} and try again.`, 'error', {
    retry_after_seconds: s,
  });
}

/** Asks the throttle about this identifier from this client; identifiers are keyed as login looks them up. */
export function admitLogin(deps: LoginThrottleDeps, req: FastifyRequest, identifier: string): Promise<Admission> {
  const normalized = normalizeIdentifier(identifier);
  return deps.loginThrottle.admit(normalized === '' ? identifier : normalized, deps.clientIp(req));
}

/**
 * A throttled submit: API and SPA clients get 429 with Retry-After in the Kratos error format; a
 * browser gets the flow back with a global message (the caller's flow error path re-renders it).
 */
export function answerThrottled(req: FastifyRequest, reply: FastifyReply, flow: StoredFlow, retryAfterMs: number): FastifyReply {
  const s = seconds(retryAfterMs);
  if (flow.type === 'api' || isJsonRequest(req)) {
    reply.header('retry-after', String(s));
    return sendError(
      req,
      reply,
      errLoginThrottled(throttledMessage(retryAfterMs).text, s),
    );
  }
  throw new FlowFormError([throttledMessage(retryAfterMs)]);
}
