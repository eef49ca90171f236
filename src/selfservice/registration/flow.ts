import { uiText } from '../../x/text.js';
import { defineFlow, flowJSONHead } from '../flow/kinds.js';

/** The registration flow's kind: its lifespan, UI, JSON shape (registrationFlow) and texts. */
export const registrationFlow = defineFlow({
  kind: 'registration',
  lifespanMs: (config) => config.flowLifespanMs('registration'),
  uiURL: (config) => config.flowUIURL('registration'),
  rerenderStatus: 302,
  alreadyLoggedInReason: 'A valid session was detected and thus registration is not possible.',
  expiredMessage: (minutes, ctx) => uiText(4040001, `The registration flow expired ${minutes} minutes ago, please try again.`, 'error', ctx),
  toJSON(flow, d, goTime) {
    const out = flowJSONHead(flow, d, goTime);
    if (d.active) out.active = d.active;
    out.ui = d.ui;
    out.organization_id = null;
    if (d.transient_payload) out.transient_payload = d.transient_payload;
    if (d.session_token_exchange_code) out.session_token_exchange_code = d.session_token_exchange_code;
    out.state = d.state;
    if (d.identity_schema) out.identity_schema = d.identity_schema;
    return out;
  },
});
