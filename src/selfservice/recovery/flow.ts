import { uiText, type UiText } from '../../x/text.js';
import { defineFlow, flowJSONHead } from '../flow/kinds.js';
import type { FlowData } from '../flow/model.js';
import { csrfNode, inputNode, type UiNode } from '../flow/ui.js';
import type { StoredFlow } from '../flow/types.js';
import type { StoredCode } from '../strategy/code/secret-code.js';

/**
 * Server-side state of a recovery flow, kept under StoredFlow.data.recovery_internal, a key the flow's
 * JSON never serializes: the digest of the code in play, how often a code was submitted to this flow
 * (Kratos's submit_count, never reset by a resend) and whether an administrator created the flow.
 */
export interface RecoveryInternal {
  code?: StoredCode;
  submits: number;
  /** Admin flows skip CSRF and do not verify the address on success. */
  admin?: boolean;
}

export const internalOf = (flow: StoredFlow): RecoveryInternal => {
  const d = flow.data as { recovery_internal?: RecoveryInternal };
  d.recovery_internal ??= { submits: 0 };
  return d.recovery_internal;
};

/** The recovery flow's kind: lifespan, UI, JSON shape (recoveryFlow) and texts. */
export const recoveryFlow = defineFlow({
  kind: 'recovery',
  lifespanMs: (config) => config.flowLifespanMs('recovery'),
  uiURL: (config) => config.flowUIURL('recovery'),
  rerenderStatus: 303,
  alreadyLoggedInReason: 'A valid session was detected and thus recovery is not possible.',
  expiredMessage: (minutes, ctx) => uiText(4060005, `The recovery flow expired ${minutes} minutes ago, please try again.`, 'error', ctx),
  toJSON(flow, d: FlowData, goTime) {
    const out = flowJSONHead(flow, d, goTime);
    out.active = d.active ?? 'code';
    out.ui = d.ui;
    out.state = d.state;
    if (d.transient_payload) out.transient_payload = d.transient_payload;
    return out;
  },
});

const emailLabel = (): UiText => uiText(1070007, 'Email', 'info');
const continueLabel = (): UiText => uiText(1070009, 'Continue', 'info');

/** choose_method: csrf_token, email, method=code (Kratos's snapshot order). */
export function chooseMethodNodes(csrf: string): UiNode[] {
  return [
    csrfNode(csrf),
    inputNode('code', 'email', 'email', { required: true, label: emailLabel() }),
    inputNode('code', 'method', 'submit', { value: 'code', label: continueLabel() }),
  ];
}

/** The code input of sent_email (and of admin flows). */
const codeNode = (): UiNode =>
  inputNode('code', 'code', 'text', { required: true, autocomplete: 'one-time-code', pattern: '[0-9]+', maxlength: 6, label: uiText(1070010, 'Recovery code', 'info') });

/** sent_email: csrf_token, code, method (hidden), method (submit), email (the resend button). */
export function sentEmailNodes(csrf: string, email: string): UiNode[] {
  return [
    csrfNode(csrf),
    codeNode(),
    inputNode('code', 'method', 'hidden', { value: 'code' }),
    inputNode('code', 'method', 'submit', { value: 'code', label: continueLabel() }),
    inputNode('code', 'email', 'submit', { value: email, label: uiText(1070008, 'Resend code', 'info') }),
  ];
}

/** An admin-created flow: exactly the code input and the submit button. */
export function adminCodeNodes(): UiNode[] {
  return [codeNode(), inputNode('code', 'method', 'submit', { value: 'code', label: continueLabel() })];
}

export const msgSent = (): UiText =>
  uiText(
    1060003,
    'An email containing a recovery code has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.',
    'info',
  );
export const msgInvalidCode = (): UiText => uiText(4060006, 'The recovery code is invalid or has already been used. Please try again.', 'error');
export const msgTooOften = (): UiText => uiText(4000001, 'The request was submitted too often. Please request another code.', 'error');
export const msgPassedChallenge = (): UiText => uiText(4060001, 'The request was already completed successfully and can not be retried.', 'error');
