import { uiText } from '../../x/text.js';
import { defineFlow, flowJSONHead } from '../flow/kinds.js';

/** The verification flow's kind: lifespan, UI, JSON shape (verificationFlow: no continue_with) and texts. */
export const verificationFlow = defineFlow({
  kind: 'verification',
  lifespanMs: (config) => config.flowLifespanMs('verification'),
  uiURL: (config) => config.flowUIURL('verification'),
  rerenderStatus: 303,
  alreadyLoggedInReason: 'A valid session was detected and thus verification is not possible.',
  expiredMessage: (minutes, ctx) => uiText(4070005, `The verification flow expired ${minutes} minutes ago, please try again.`, 'error', ctx),
  toJSON(flow, d, goTime) {
    const out = flowJSONHead(flow, d, goTime);
    out.active = d.active ?? 'code';
    out.ui = d.ui;
    out.state = d.state;
    if (d.transient_payload) out.transient_payload = d.transient_payload;
    return out;
  },
});

export const msgSent = () =>
  uiText(
    1080003,
    'An email containing a verification code has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.',
    'info',
  );
export const msgVerified = () => uiText(1080002, 'You successfully verified your email address.', 'success');
export const msgInvalidCode = () => uiText(4070006, 'The verification code is invalid or has already been used. Please try again.', 'error');
export const msgAlreadyDone = () => uiText(4070002, 'The request was already completed successfully and can not be retried.', 'error');
export const msgNoStrategy = () => uiText(4010006, 'Could not find a strategy to verify your account with. Did you fill out the form correctly?', 'error');
export const msgTooOften = () => uiText(4000001, 'The request was submitted too often. Please request another code.', 'error', { reason: 'The request was submitted too often. Please request another code.' });
/** Porta's send throttle (no Kratos counterpart): the same for known and unknown addresses. */
export const msgSendThrottled = () =>
  uiText(4000001, 'Too many codes were requested. Please wait a while before requesting another code.', 'error', {
    reason: 'Too many codes were requested. Please wait a while before requesting another code.',
  });
