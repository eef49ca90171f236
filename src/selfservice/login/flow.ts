import { uiText } from '../../x/text.js';
import { defineFlow } from '../flow/kinds.js';

/** The login flow's kind: its lifespan, UI, JSON shape (loginFlow) and texts. */
export const loginFlow = defineFlow({
  kind: 'login',
  lifespanMs: (config) => config.flowLifespanMs('login'),
  uiURL: (config) => config.flowUIURL('login'),
  rerenderStatus: 303,
  alreadyLoggedInReason: 'A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?',
  expiredMessage: (minutes, ctx) => uiText(4010001, `The login flow expired ${minutes} minutes ago, please try again.`, 'error', ctx),
  toJSON(flow, d, goTime) {
    const out: Record<string, unknown> = { id: flow.id, organization_id: null, type: flow.type };
    out.expires_at = goTime(flow.expiresAt);
    out.issued_at = goTime(flow.issuedAt);
    out.request_url = d.request_url;
    if (d.return_to) out.return_to = d.return_to;
    if (d.active) out.active = d.active;
    out.ui = d.ui;
    out.created_at = goTime(flow.createdAt);
    out.updated_at = goTime(flow.updatedAt);
    out.refresh = d.refresh === true;
    out.requested_aal = d.requested_aal ?? 'aal1';
    if (d.session_token_exchange_code) out.session_token_exchange_code = d.session_token_exchange_code;
    out.state = d.state;
    if (d.transient_payload) out.transient_payload = d.transient_payload;
    if (d.identity_schema) out.identity_schema = d.identity_schema;
    return out;
  },
});
