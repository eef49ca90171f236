import type { FlowDeps } from '../flow/model.js';
import type { SendDeps } from '../strategy/code/verification.js';
import { sessionHook } from './session.js';
import { revokeActiveSessionsHook } from './revoke-active-sessions.js';
import type { HookFactory } from './types.js';
import { requireVerifiedAddressHook, showVerificationUIHook } from './verification.js';
import { webHook, type WebHookRunner } from './web-hook/index.js';

/** The hook kinds by their configured name. A new kind is a file here and one line in this map. */
export function builtinHooks(deps: FlowDeps & SendDeps, runner: WebHookRunner): Map<string, HookFactory> {
  return new Map([
    ['session', sessionHook(deps)],
    ['revoke_active_sessions', revokeActiveSessionsHook(deps)],
    ['show_verification_ui', showVerificationUIHook()],
    ['require_verified_address', requireVerifiedAddressHook(deps)],
    ['web_hook', webHook(deps, runner)],
  ]);
}
