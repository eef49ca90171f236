import type { FlowDeps } from '../../flow/model.js';
import { flowToJSON } from '../../flow/model.js';
import type { HookFactory } from '../types.js';
import { parseWebHookConfig } from './config.js';
import { templateContext, transientPayload } from './context.js';
import type { WebHookRunner } from './run.js';

export { JsonnetPool } from './jsonnet-pool.js';
export { WebHookRunner } from './run.js';
export { parseWebHookConfig } from './config.js';

/** Porta's own session and CSRF cookies: never handed to a hook receiver. */
export function portaCookieNames(deps: { config: Pick<FlowDeps['config'], 'sessionCookie'>; csrf: { cookieName: string } }): ReadonlySet<string> {
  return new Set([deps.config.sessionCookie.name, deps.csrf.cookieName]);
}

/**
 * Kratos's `web_hook` on a self-service flow: `ctx` as spec A.5 (the session only where Kratos passes
 * one: settings, and login's new session), the call through the runner. A parse hook changes the
 * identity only while it runs before the store.
 */
export function webHook(deps: Pick<FlowDeps, 'config' | 'csrf' | 'logger'>, runner: WebHookRunner): HookFactory {
  const hiddenCookies = portaCookieNames(deps);
  return (raw) => {
    const spec = parseWebHookConfig(raw, { warn: (msg) => deps.logger.warn({ url: String(raw.url ?? '') }, msg) });
    return {
      name: 'web_hook',
      prePersist: spec.parse || spec.canInterrupt,
      prepare: () => runner.prepare(spec),
      async execute(ctx) {
        const flow = flowToJSON(ctx.flow);
        const tp = transientPayload(ctx.req);
        if (tp !== undefined) flow.transient_payload = tp;
        const session = ctx.flow.kind === 'login' ? ctx.draftSession : ctx.flow.kind === 'settings' ? ctx.session : undefined;
        const tctx = templateContext({ config: deps.config, client: runner.client, hiddenCookies }, ctx.req, { flow, identity: ctx.identity, session });
        await runner.call(spec, tctx, { identity: ctx.prePersist ? ctx.identity : undefined });
      },
    };
  };
}
