import type { StrategyRegistry } from '../strategy/registry.js';
import { csrfNode, type UiNode } from '../flow/ui.js';
import { traitNodes } from '../flow/schema-ui.js';

/**
 * One-step registration form: the trait inputs plus each enabled method's nodes, in Kratos's order
 * (csrf_token, first trait, the methods' inputs, remaining traits, the methods' submit buttons last).
 */
export function registrationNodes(strategies: StrategyRegistry, opts: { csrf: string; schema: Record<string, unknown> }): UiNode[] {
  const traits = traitNodes(opts.schema);
  const methods = strategies.registrationMethods().map((s) => s.registration.nodes({ schema: opts.schema }));
  if (methods.length === 0) return [csrfNode(opts.csrf), ...traits];
  return [csrfNode(opts.csrf), ...traits.slice(0, 1), ...methods.flatMap((m) => m.inputs), ...traits.slice(1), ...methods.flatMap((m) => m.submit)];
}
