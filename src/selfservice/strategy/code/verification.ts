import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { uiText } from '../../../x/text.js';
import { identityToJSON } from '../../../identity/json.js';
import type { Identity } from '../../../identity/types.js';
import type { NewCourierMessage } from '../../../courier/message.js';
import { InvalidRecipientError, type Courier } from '../../../courier/queue.js';
import type { ThrottleStore } from '../../../throttle/store.js';
import { csrfNode, inputNode, type UiNode } from '../../flow/ui.js';
import { publicURL } from '../../flow/url.js';
import type { FlowDeps } from '../../flow/model.js';
import type { StoredFlow } from '../../flow/types.js';
import { checkCode, newCode, storeCode, type CodeCheck, type StoredCode } from './secret-code.js';

/**
 * The `code` method of the verification flow: which nodes it renders, sending a code to an address, and
 * redeeming one. The stored code lives under `flow.data[CODE_KEY]`, which the flow's JSON never shows.
 */
export const CODE_KEY = 'verification_code_secret';
export const SUBMITS_KEY = 'verification_submit_count';
const PURPOSE = 'verification';

const emailLabel = () => uiText(1070007, 'Email', 'info');
const continueLabel = () => uiText(1070009, 'Continue', 'info');

/** choose_method: the address to verify (csrf_token for browser flows only, as Kratos). */
export function chooseMethodNodes(csrf: string | undefined): UiNode[] {
  const nodes = [
    inputNode('code', 'email', 'email', { required: true, label: emailLabel() }),
    inputNode('code', 'method', 'submit', { value: 'code', label: continueLabel() }),
  ];
  if (csrf !== undefined) nodes.push(csrfNode(csrf));
  return nodes;
}

/** sent_email: the code input, and the address again as the resend button. */
export function sentNodes(csrf: string | undefined, email: string): UiNode[] {
  const nodes = [
    inputNode('code', 'method', 'hidden', { value: 'code' }),
    inputNode('code', 'code', 'text', { required: true, autocomplete: 'one-time-code', label: uiText(1070011, 'Verification code', 'info') }),
    inputNode('code', 'method', 'submit', { value: 'code', label: continueLabel() }),
  ];
  if (csrf !== undefined) nodes.push(csrfNode(csrf));
  nodes.push(inputNode('code', 'email', 'submit', { value: email, label: uiText(1070008, 'Resend code', 'info') }));
  return nodes;
}

/** passed_challenge: the continue link (an anchor node, not an input). */
export function continueNode(href: string): UiNode {
  return {
    type: 'a',
    group: 'code',
    attributes: { href, title: continueLabel(), id: 'continue', node_type: 'a' },
    messages: [],
    meta: { label: continueLabel() },
  } as unknown as UiNode;
}

/** Emails as Kratos stores them in verifiable addresses: trimmed and lower-cased. */
export const normalizeAddress = (s: string) => s.trim().toLowerCase();

const digest = (s: string) => createHash('sha256').update(s).digest('base64url');

/**
 * Counts one send against the recipient and the client IP (fixed windows, shared through the database).
 * True when either limit is exceeded: the caller then answers as usual but queues nothing.
 */
export async function sendThrottled(deps: { config: FlowDeps['config']; persister: { throttles: ThrottleStore } }, ip: string, address: string): Promise<boolean> {
  const t = deps.config.sendThrottle;
  const [rcpt, byIp] = await deps.persister.throttles.hit(
    [
      { key: `send:rcpt:${digest(address)}`, windowMs: t.windowMs, sliding: false },
      { key: `send:ip:${digest(ip)}`, windowMs: t.windowMs, sliding: false },
    ],
    Date.now(),
  );
  return rcpt.count > t.perRecipient || byIp.count > t.perIp;
}

export type SendDeps = FlowDeps & { courier: Courier; clientIp: (req: FastifyRequest) => string };

/**
 * Sends a code for `address` on `flow` (replacing any earlier code of the flow). Known address: the
 * `valid` template with the code and the link, the address goes to `sent`. Unknown: no code; the
 * `invalid` template only with notify_unknown_recipients. Returns the mail to queue with the flow write.
 */
export async function prepareCode(deps: SendDeps, flow: StoredFlow, address: string, identity: Identity | null): Promise<NewCourierMessage[]> {
  delete flow.data[CODE_KEY];
  try {
    if (!identity) {
      if (!deps.config.verificationNotifyUnknown) return [];
      return [deps.courier.email('verification_code_invalid', address, { request_url: String(flow.data.request_url ?? '') })];
    }
    const code = newCode();
    const { lifespanMs } = deps.config.codeMethod;
    flow.data[CODE_KEY] = storeCode(deps.config.codeSecrets, PURPOSE, code, lifespanMs, address, identity.id);
    const url = new URL(publicURL(deps.config, '/self-service/verification'));
    url.searchParams.set('code', code);
    url.searchParams.set('flow', flow.id);
    const message = deps.courier.email('verification_code_valid', address, {
      verification_code: code,
      verification_url: url.href,
      identity: identityToJSON(identity, { config: deps.config, credentials: 'none', metadataAdmin: false }),
      request_url: String(flow.data.request_url ?? ''),
      expires_in_minutes: Math.round(lifespanMs / 60000),
    });
    await setAddressStatus(deps, identity, address, 'sent');
    return [message];
  } catch (err) {
    // An address the courier cannot mail (no @ ...) gets the same answer and nothing queued.
    if (err instanceof InvalidRecipientError) return [];
    throw err;
  }
}

/** Checks a submitted code against the flow's; `ok` consumes it (single use). */
export function redeemCode(deps: FlowDeps, flow: StoredFlow, submitted: string): { result: CodeCheck; stored?: StoredCode } {
  const stored = flow.data[CODE_KEY] as StoredCode | undefined;
  if (!stored) return { result: 'wrong' };
  // The flow counts attempts (submit_count); the code itself has no separate try limit.
  const result = checkCode(deps.config.codeSecrets, PURPOSE, stored, submitted, Number.POSITIVE_INFINITY);
  if (result === 'ok') delete flow.data[CODE_KEY];
  return { result, stored };
}

/** Writes a verifiable address's status (and, for `completed`, verified and verified_at). */
export async function setAddressStatus(deps: FlowDeps, identity: Identity, address: string, status: 'sent' | 'completed'): Promise<void> {
  const now = new Date();
  let changed = false;
  const addresses = identity.verifiableAddresses.map((a) => {
    if (a.via !== 'email' || a.value !== address) return a;
    if (status === 'sent' && a.verified) return a;
    changed = true;
    return status === 'completed' ? { ...a, verified: true, status, verifiedAt: now, updatedAt: now } : { ...a, status, updatedAt: now };
  });
  if (changed) await deps.persister.identities.updateIdentity({ ...identity, verifiableAddresses: addresses, updatedAt: now });
}
