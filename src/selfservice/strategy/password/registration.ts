import type { Config } from '../../../config/config.js';
import type { IdentityManager } from '../../../identity/manager.js';
import { uiText, type UiText } from '../../../x/text.js';
import { FlowFormError } from '../../flow/errors.js';
import { field } from '../../flow/decode.js';
import { inputNode, passwordLabel, unsetValue } from '../../flow/ui.js';
import type { RegistrationMethod } from '../types.js';
import { checkPassword } from './policy.js';

const BCRYPT_MAX_BYTES = 72;

/** Password registration: the password input, the policy (length, similarity, bcrypt's 72 bytes). */
export function passwordRegistration(deps: { config: Config; identities: IdentityManager }): RegistrationMethod<string> {
  return {
    nodes() {
      return {
        inputs: [inputNode('password', 'password', 'password', { required: true, autocomplete: 'new-password', label: passwordLabel() })],
        submit: [inputNode('password', 'method', 'submit', { value: 'password', label: uiText(1040001, 'Sign up', 'info') })],
      };
    },

    parse(body) {
      const password = field(body, 'password');
      return { payload: password ?? '', missing: password === undefined ? ['password'] : [] };
    },

    clear(ui) {
      unsetValue(ui, 'password');
    },

    credentials({ schemaId, traits, payload: password }) {
      const identifiers = deps.identities.passwordIdentifiers(schemaId, traits);
      if (identifiers.length === 0) {
        throw new FlowFormError([
          uiText(4000009, 'Could not find any login identifiers. Did you forget to set them? This could also be caused by a server misconfiguration.', 'error'),
        ]);
      }
      const policyMessage = passwordMessage(deps.config, identifiers, password);
      if (policyMessage) throw new FlowFormError([], [{ name: 'password', message: policyMessage }]);
      return { password: { cleartext: password } };
    },
  };
}

/** The registration password policy, shared by the settings flow. */
export function passwordMessage(config: Config, identifiers: string[], password: string): UiText | undefined {
  const policy = checkPassword(config.passwordPolicy, identifiers, password);
  if (policy) return policy;
  const length = Buffer.byteLength(password, 'utf8');
  if (config.hasherAlgorithm === 'bcrypt' && length > BCRYPT_MAX_BYTES) {
    return uiText(4000033, `The password must be at most ${BCRYPT_MAX_BYTES} characters long, but got ${length}.`, 'error', {
      actual_length: length,
      max_length: BCRYPT_MAX_BYTES,
    });
  }
  return undefined;
}
