import { PortaError } from '../errors.js';

// Hooks (web_hook): what a flow answers when a hook cannot run or its upstream fails.

export const errWebHookTemplate = () => new PortaError(500, { reason: 'The web_hook template could not be evaluated.' });

/** Kratos's 502 for an upstream that answered wrongly (and Porta's for one that failed, spec C.2 D1/D2). */
export const errUpstream = (message: string) =>
  new PortaError(502, { reason: 'A third-party upstream service responded improperly. Please try again later.', message });

/** Kratos's 504 when the last attempt timed out. */
export const errUpstreamTimeout = (message: string) =>
  new PortaError(504, { reason: 'A third-party upstream service could not be reached. Please try again later.', message });
