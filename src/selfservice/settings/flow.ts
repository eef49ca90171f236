import { uiText } from '../../x/text.js';
import { defineFlow, flowJSONHead } from '../flow/kinds.js';

/** The settings flow's kind: its lifespan, UI, JSON shape (settingsFlow) and texts. */
export const settingsFlow = defineFlow({
  kind: 'settings',
  lifespanMs: (config) => config.flowLifespanMs('settings'),
  uiURL: (config) => config.flowUIURL('settings'),
  rerenderStatus: 303,
  // Settings needs a session; this text is never shown, the field is only required by FlowSpec.
  alreadyLoggedInReason: '',
  expiredMessage: (minutes, ctx) => uiText(4050001, `The settings flow expired ${minutes} minutes ago, please try again.`, 'error', ctx),
  toJSON(flow, d, goTime) {
    const out = flowJSONHead(flow, d, goTime);
    if (d.active) out.active = d.active;
    out.ui = d.ui;
    out.identity = d.identity;
    out.state = d.state;
    out.organization_id = null;
    if (d.transient_payload) out.transient_payload = d.transient_payload;
    return out;
  },
});
