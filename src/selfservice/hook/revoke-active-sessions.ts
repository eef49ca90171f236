import type { FlowDeps } from '../flow/model.js';
import type { HookFactory } from './types.js';

/**
 * Kratos's `revoke_active_sessions` (session_destroyer.go): every other session of the identity ends,
 * through the session manager's one revoke path so it is notified like any other end of a session.
 * After settings the person changed a credential; after a login it is the operator's policy.
 */
export function revokeActiveSessionsHook(deps: Pick<FlowDeps, 'sessions'>): HookFactory {
  return () => ({
    name: 'revoke_active_sessions',
    async execute(ctx) {
      const reason = ctx.flow.kind === 'login' ? 'revoke_active_sessions' : 'credential_change';
      const keep = ctx.issued?.session ?? ctx.session;
      if (keep) return void (await deps.sessions.revokeOtherSessions(keep.identityId, keep.id, reason));
      // Login's after-hooks run before its session exists: end the others once it does.
      (ctx.onIssued ??= []).push(async ({ session }) => void (await deps.sessions.revokeOtherSessions(session.identityId, session.id, reason)));
    },
  });
}
