import { uiText } from '../../x/text.js';
import { csrfNode, inputNode, passwordLabel, type UiNode } from '../flow/ui.js';
import { traitNodes } from '../flow/schema-ui.js';

/**
 * One-step registration form: the profile strategy's trait inputs plus the password strategy's nodes,
 * in Kratos's order (csrf_token, first trait, password, remaining traits, submit button last).
 */
export function registrationNodes(opts: { csrf: string; schema: Record<string, unknown>; passwordEnabled: boolean }): UiNode[] {
  const traits = traitNodes(opts.schema);
  if (!opts.passwordEnabled) return [csrfNode(opts.csrf), ...traits];
  const password = inputNode('password', 'password', 'password', { required: true, autocomplete: 'new-password', label: passwordLabel() });
  const submit = inputNode('password', 'method', 'submit', { value: 'password', label: uiText(1040001, 'Sign up', 'info') });
  return [csrfNode(opts.csrf), ...traits.slice(0, 1), password, ...traits.slice(1), submit];
}
