import type { Identity } from '../../identity/types.js';
import type { StrategyRegistry } from '../strategy/registry.js';
import { csrfNode, type UiNode } from '../flow/ui.js';

/** The login form: the CSRF node, then each enabled method's nodes in registry order. */
export function loginNodes(
  strategies: StrategyRegistry,
  opts: { csrf: string; schema: Record<string, unknown>; refreshOf?: Identity },
): UiNode[] {
  const nodes = [csrfNode(opts.csrf)];
  for (const s of strategies.loginMethods()) nodes.push(...s.login.nodes({ schema: opts.schema, refreshOf: opts.refreshOf }));
  return nodes;
}
