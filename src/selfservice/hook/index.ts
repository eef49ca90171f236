import type { FlowDeps } from '../flow/model.js';
import { sessionHook } from './session.js';
import type { HookFactory } from './types.js';
import { webHookFactory, WebHookRuntime } from './web_hook/index.js';

export interface BuiltinHooks {
  kinds: Map<string, HookFactory>;
  /** Stops what the hook kinds run in the background (the Jsonnet workers). */
  close(): void;
}

/** The hook kinds by their configured name. A new kind is a file (or folder) here and one line in this map. */
export function builtinHooks(deps: FlowDeps): BuiltinHooks {
  const web = new WebHookRuntime({ config: deps.config, logger: deps.logger, csrfCookieName: deps.csrf.cookieName });
  return {
    kinds: new Map([
      ['session', sessionHook(deps)],
      ['web_hook', webHookFactory(web)],
    ]),
    close: () => web.close(),
  };
}
