import type { FlowDeps } from '../flow/model.js';
import { sessionHook } from './session.js';
import { revokeActiveSessionsHook } from './revoke-active-sessions.js';
import type { HookFactory } from './types.js';

/** The hook kinds by their configured name. A new kind is a file here and one line in this map. */
export function builtinHooks(deps: FlowDeps): Map<string, HookFactory> {
  return new Map([
    ['session', sessionHook(deps)],
    ['revoke_active_sessions', revokeActiveSessionsHook(deps)],
  ]);
}
