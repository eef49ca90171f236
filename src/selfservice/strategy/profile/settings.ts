import type { IdentityManager } from '../../../identity/manager.js';
import type { Identity } from '../../../identity/types.js';
import { uiText, type UiText } from '../../../x/text.js';
import { FlowFormError, PrivilegedSessionRequired } from '../../flow/errors.js';
import { traitNodes } from '../../flow/schema-ui.js';
import { inputNode, setValue, type UiNode } from '../../flow/ui.js';
import type { SettingsMethod } from '../types.js';

type Traits = Record<string, unknown>;

function getPath(obj: unknown, dotted: string): unknown {
  let cur = obj;
  for (const part of dotted.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  return cur;
}

const traitsOf = (body: Record<string, unknown>): Traits | undefined =>
  body.traits && typeof body.traits === 'object' && !Array.isArray(body.traits) ? (body.traits as Traits) : undefined;

const keysOf = (list: Array<{ value: string; via: string }>) => list.map((a) => `${a.via}:${a.value}`).sort().join('\n');

/**
 * Kratos's "protected" fields (identity/manager.go): a change of login identifiers, verifiable or
 * recovery addresses is a change of who can sign in or recover the account, so it needs a privileged
 * session. Other traits can be changed with an old session.
 */
export function changesProtectedFields(before: Identity, after: Identity): boolean {
  const ids = (i: Identity) => [...(i.credentials.password?.identifiers ?? [])].sort().join('\n');
  return (
    ids(before) !== ids(after) ||
    keysOf(before.verifiableAddresses) !== keysOf(after.verifiableAddresses) ||
    keysOf(before.recoveryAddresses) !== keysOf(after.recoveryAddresses)
  );
}

/** The `profile` method's settings part: every trait of the identity schema, validated by the schema. */
export function profileSettings(deps: { identities: IdentityManager }): SettingsMethod<{ traits: Traits }> {
  return {
    nodes({ schema, identity }): UiNode[] {
      const ui = { action: '', method: 'POST' as const, nodes: traitNodes(schema).map((n) => ({ ...n, group: 'profile' })) };
      for (const n of ui.nodes) {
        const value = getPath(identity.traits, n.attributes.name.slice('traits.'.length));
        if (value !== undefined) setValue(ui, n.attributes.name, value);
      }
      ui.nodes.push(inputNode('profile', 'method', 'submit', { value: 'profile', label: uiText(1070003, 'Save', 'info') }));
      return ui.nodes;
    },

    parse(body) {
      const traits = traitsOf(body);
      if (!traits) throw new FlowFormError([], [{ name: 'traits', message: uiText(4000002, 'Property traits is missing.', 'error', { property: 'traits' }) }]);
      return { traits };
    },

    refill(ui, body) {
      const traits = body ? traitsOf(body) : undefined;
      if (!traits) return;
      for (const n of ui.nodes) {
        if (n.group !== 'profile' || !n.attributes.name.startsWith('traits.')) continue;
        const v = getPath(traits, n.attributes.name.slice('traits.'.length));
        if (v !== undefined) setValue(ui, n.attributes.name, v);
      }
    },

    async apply({ identity, payload, privileged }) {
      const violations = deps.identities.validateTraits(identity.schemaId, payload.traits);
      if (violations.length) {
        const form: UiText[] = [];
        const nodes: Array<{ name: string; message: UiText }> = [];
        for (const v of violations) {
          // An instance pointer names the node (#/traits/email → traits.email); the root goes to the form.
          const name = v.pointer.replace(/^#\/?/, '').split('/').join('.');
          if (name) nodes.push({ name, message: v.message });
          else form.push(v.message);
        }
        throw new FlowFormError(form, nodes);
      }
      // applySchema keeps the id and verification state of addresses that did not change; a changed
      // verifiable address is a new entry, pending and unverified.
      const updated = deps.identities.applySchema({ ...identity, traits: payload.traits, updatedAt: new Date() });
      if (!privileged && changesProtectedFields(identity, updated)) throw new PrivilegedSessionRequired();
      return updated;
    },
  };
}
