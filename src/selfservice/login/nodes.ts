import { uiText } from '../../x/text.js';
import { csrfNode, inputNode, passwordLabel, type UiNode } from '../flow/ui.js';
import { identifierLabel } from '../flow/schema-ui.js';

/**
 * The password strategy's login form (PopulateLoginMethodFirstFactor), already in Kratos's sort order:
 * csrf_token and identifier (default group), password, then the submit button last.
 */
export function loginNodes(opts: {
  csrf: string;
  schema: Record<string, unknown>;
  passwordEnabled: boolean;
  /** refresh=true with a session: the identifier to pre-fill (hidden), or null when it has no password. */
  refreshIdentifier?: string | null;
}): UiNode[] {
  const nodes = [csrfNode(opts.csrf)];
  if (!opts.passwordEnabled) return nodes;
  if (opts.refreshIdentifier === null) return nodes;
  if (opts.refreshIdentifier !== undefined) {
    nodes.push(inputNode('default', 'identifier', 'hidden', { value: opts.refreshIdentifier }));
  } else {
    nodes.push(inputNode('default', 'identifier', 'text', { value: '', required: true, label: identifierLabel(opts.schema) }));
  }
  nodes.push(inputNode('password', 'password', 'password', { required: true, autocomplete: 'current-password', label: passwordLabel() }));
  const submit = opts.refreshIdentifier !== undefined ? uiText(1010001, 'Sign in', 'info') : uiText(1010022, 'Sign in with password', 'info');
  nodes.push(inputNode('password', 'method', 'submit', { value: 'password', label: submit }));
  return nodes;
}
