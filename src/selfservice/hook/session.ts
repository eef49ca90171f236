import { issueSession } from '../flow/issue.js';
import type { FlowDeps } from '../flow/model.js';
import type { HookFactory } from './types.js';

/**
 * Kratos's `session` hook after registration: the new identity is signed in at once (cookie for
 * browsers, token for API clients). It always runs last in its list.
 */
export function sessionHook(deps: FlowDeps): HookFactory {
  return () => ({
    name: 'session',
    async execute(ctx) {
      if (!ctx.identity || !ctx.method || ctx.stage === 'pre_persist') return;
      ctx.issued = await issueSession(deps, ctx.req, ctx.reply, ctx.identity, {
        browser: ctx.flow.type === 'browser',
        existing: null,
        refresh: false,
        method: ctx.method,
      });
    },
  });
}
