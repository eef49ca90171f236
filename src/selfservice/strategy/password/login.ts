import type { IdentityManager } from '../../../identity/manager.js';
import type { Identity } from '../../../identity/types.js';
import type { Hasher } from '../../../hash/hasher.js';
import { uiText, type UiText } from '../../../x/text.js';
import { FlowFormError } from '../../flow/errors.js';
import { field } from '../../flow/decode.js';
import { identifierLabel } from '../../flow/schema-ui.js';
import { inputNode, passwordLabel, setValue, unsetValue, type UiNode } from '../../flow/ui.js';
import type { LoginMethod } from '../types.js';

const missing = (property: string) => uiText(4000002, `Property ${property} is missing.`, 'error', { property });
const invalidCredentials = () =>
  uiText(4000006, 'The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.', 'error');

interface Payload {
  identifier: string;
  password: string;
}

const typedIdentifier = (body: Record<string, unknown>) => field(body, 'identifier') ?? field(body, 'password_identifier');

/** Password login: identifier and password, checked against the stored hash (upgraded when outdated). */
export function passwordLogin(deps: { identities: IdentityManager; hasher: Hasher }): LoginMethod<Payload> {
  return {
    nodes({ schema, refreshOf }): UiNode[] {
      // A refresh re-authenticates the session's identity: its first identifier, hidden; none without a password.
      const refreshIdentifier = refreshOf ? (refreshOf.credentials.password?.identifiers[0] ?? null) : undefined;
      if (refreshIdentifier === null) return [];
      const nodes: UiNode[] = [];
      if (refreshIdentifier !== undefined) {
        nodes.push(inputNode('default', 'identifier', 'hidden', { value: refreshIdentifier }));
      } else {
        nodes.push(inputNode('default', 'identifier', 'text', { value: '', required: true, label: identifierLabel(schema) }));
      }
      nodes.push(inputNode('password', 'password', 'password', { required: true, autocomplete: 'current-password', label: passwordLabel() }));
      const submit = refreshIdentifier !== undefined ? uiText(1010001, 'Sign in', 'info') : uiText(1010022, 'Sign in with password', 'info');
      nodes.push(inputNode('password', 'method', 'submit', { value: 'password', label: submit }));
      return nodes;
    },

    parse(body) {
      const identifier = typedIdentifier(body);
      const password = field(body, 'password');
      if (identifier === undefined || password === undefined) {
        const nodes: Array<{ name: string; message: UiText }> = [];
        if (identifier === undefined) nodes.push({ name: 'identifier', message: missing('identifier') });
        if (password === undefined) nodes.push({ name: 'password', message: missing('password') });
        throw new FlowFormError([], nodes);
      }
      return { identifier, password };
    },

    refill(ui, body, refresh) {
      unsetValue(ui, 'password');
      const typed = body ? typedIdentifier(body) : undefined;
      if (typed !== undefined && !refresh) setValue(ui, 'identifier', typed);
    },

    throttleKey: ({ identifier }) => identifier,

    /** An unknown identifier spends the time of a verification too, so timing does not reveal accounts. */
    async authenticate({ identifier, password }): Promise<Identity> {
      const identity = await deps.identities.findByPasswordIdentifier(identifier);
      if (!identity || !identity.credentials.password) {
        await deps.hasher.burn(password);
        throw new FlowFormError([invalidCredentials()]);
      }
      if (!(await deps.identities.verifyPassword(identity, password))) throw new FlowFormError([invalidCredentials()]);
      return identity;
    },
  };
}
