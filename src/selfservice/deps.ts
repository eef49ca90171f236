import type { FlowDeps } from './flow/model.js';
import type { HookRegistry } from './hook/registry.js';
import type { StrategyRegistry } from './strategy/registry.js';
import type { SendDeps } from './strategy/code/verification.js';

/** What a flow module (login, registration, ...) needs: the flow machinery, the methods and the hooks. */
export type SelfServiceDeps = FlowDeps & SendDeps & { strategies: StrategyRegistry; hooks: HookRegistry };
