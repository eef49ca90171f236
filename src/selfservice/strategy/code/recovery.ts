import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../../config/config.js';
import type { Courier } from '../../../courier/queue.js';
import type { NewCourierMessage } from '../../../courier/message.js';
import type { Identity } from '../../../identity/types.js';
import { normalizeIdentifier } from '../../../identity/normalize.js';
import type { IdentityStore } from '../../../identity/store.js';
import type { ThrottleStore } from '../../../throttle/store.js';
import { identityToJSON } from '../../../identity/json.js';
import { checkCode, newCode, storeCode, type CodeCheck, type StoredCode } from './secret-code.js';
import { sendThrottled } from './verification.js';

/**
 * The `code` method of recovery: mailing a code to a recovery address and checking one. The flow module
 * (selfservice/recovery) owns states, nodes and answers; this module owns what is sent and what is checked.
 */
export interface RecoveryCodeDeps {
  config: Config;
  persister: { identities: IdentityStore; throttles: ThrottleStore };
  courier: Courier;
  logger: Logger;
  clientIp: (req: FastifyRequest) => string;
}

const PURPOSE = 'recovery';

export interface PreparedSend {
  /** The new code's digest, or undefined when nothing was sent to a known address. */
  code?: StoredCode;
  messages: NewCourierMessage[];
}

/**
 * Prepares the mail for a submitted address: the `valid` template with a new code to a known recovery
 * address, the `invalid` one to an unknown address only with notify_unknown_recipients. The lookup runs
 * either way, so both paths do the same work up to the mail itself. Nothing is written here: the caller
 * stores the flow and the messages in one transaction.
 */
export async function prepareRecoverySend(deps: RecoveryCodeDeps, req: FastifyRequest, rawAddress: string, requestUrl: string, transientPayload?: Record<string, unknown>): Promise<PreparedSend> {
  const address = normalizeIdentifier(rawAddress);
  const identity = await deps.persister.identities.findIdentityByRecoveryAddress('email', address);
  // The one send throttle of every code (porta.send_throttle.*), counted before the lookup's result is
  // used: a send over a limit is dropped with the usual answer, so the limits reveal no account.
  if (await sendThrottled(deps, deps.clientIp(req), address)) {
    deps.logger.warn({ flow: 'recovery' }, 'recovery code not sent: send limit reached');
    return { messages: [] };
  }
  const model = { request_url: requestUrl, transient_payload: transientPayload };
  if (!identity || identity.state !== 'active') {
    // An inactive identity is answered like an unknown one: the code could not be redeemed anyway.
    if (!deps.config.recoveryNotifyUnknownRecipients) return { messages: [] };
    return { messages: [deps.courier.email('recovery_code_invalid', rawAddress.trim(), model)] };
  }
  const { lifespanMs } = deps.config.codeMethod;
  const code = newCode();
  const stored = storeCode(secretsOf(deps.config), PURPOSE, code, lifespanMs, address, identity.id);
  const message = deps.courier.email('recovery_code_valid', address, {
    ...model,
    recovery_code: code,
    identity: identityToJSON(identity, { config: deps.config, credentials: 'none', metadataAdmin: false }),
    expires_in_minutes: Math.round(lifespanMs / 60000),
  });
  return { code: stored, messages: [message] };
}

/** Stores an admin code for an identity; returns the code in clear once, for the admin API's answer. */
export function issueAdminCode(config: Config, identity: Identity, lifespanMs: number): { code: string; stored: StoredCode } {
  const code = newCode();
  return { code, stored: storeCode(secretsOf(config), PURPOSE, code, lifespanMs, '', identity.id) };
}

function secretsOf(config: Config): string[] {
  return config.secretsDefault().length ? config.secretsDefault() : config.cookieSecrets;
}

/** Checks a submitted code; the flow-level submit counter (not the code's own tries) bounds the attempts. */
export function checkRecoveryCode(config: Config, stored: StoredCode | undefined, submitted: string): CodeCheck {
  if (!stored) return 'wrong';
  // maxTries above any flow limit: the flow's submit counter (max_submissions, at most 255) decides.
  return checkCode(secretsOf(config), PURPOSE, stored, submitted, 1000);
}
