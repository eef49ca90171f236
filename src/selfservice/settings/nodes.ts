import type { Identity } from '../../identity/types.js';
import type { StrategyRegistry } from '../strategy/registry.js';
import { csrfNode, type UiNode } from '../flow/ui.js';

// Kratos's settings sort (selfservice/flow/settings/sort.go): groups in this order, nodes within a group as rendered.
const GROUP_ORDER = ['default', 'profile', 'password', 'oidc', 'lookup_secret', 'webauthn', 'passkey', 'totp'];
const rank = (group: string) => {
  const i = GROUP_ORDER.indexOf(group);
  return i < 0 ? GROUP_ORDER.length : i;
};

/** The settings form: csrf_token, then each enabled method's nodes for the identity, grouped in Kratos's order. */
export function settingsNodes(strategies: StrategyRegistry, opts: { csrf: string; schema: Record<string, unknown>; identity: Identity }): UiNode[] {
  const nodes = [csrfNode(opts.csrf)];
  for (const s of strategies.settingsMethods()) nodes.push(...s.settings.nodes({ schema: opts.schema, identity: opts.identity }));
  // Array.prototype.sort is stable: nodes of one group keep the method's order.
  return nodes.sort((a, b) => rank(a.group) - rank(b.group));
}
