import type { Config } from '../../../config/config.js';
import type { IdentityManager } from '../../../identity/manager.js';
import type { Hasher } from '../../../hash/hasher.js';
import { uiText } from '../../../x/text.js';
import { FlowFormError, PrivilegedSessionRequired } from '../../flow/errors.js';
import { field } from '../../flow/decode.js';
import { inputNode, passwordLabel, unsetValue } from '../../flow/ui.js';
import type { SettingsMethod } from '../types.js';
import { passwordMessage } from './registration.js';

const missing = () => new FlowFormError([], [{ name: 'password', message: uiText(4000002, 'Property password is missing.', 'error', { property: 'password' }) }]);

/**
 * Password settings: a new password under the registration policy, hashed with the configured hasher.
 * Always needs a privileged session, whatever else the submit holds (Kratos's password/settings.go).
 */
export function passwordSettings(deps: { config: Config; identities: IdentityManager; hasher: Hasher }): SettingsMethod<string> {
  return {
    nodes() {
      return [
        inputNode('password', 'password', 'password', { required: true, autocomplete: 'new-password', label: passwordLabel() }),
        inputNode('password', 'method', 'submit', { value: 'password', label: uiText(1070003, 'Save', 'info') }),
      ];
    },

    parse(body) {
      const password = field(body, 'password');
      if (password === undefined) throw missing();
      return password;
    },

    refill(ui) {
      unsetValue(ui, 'password');
    },

    async apply({ identity, payload: password, privileged }) {
      if (!privileged) throw new PrivilegedSessionRequired();
      if (password === '') throw missing();
      const old = identity.credentials.password?.config?.hashed_password;
      // Hash first so that the answer takes as long whether or not the new password equals the old one.
      const [hashed, same] = await Promise.all([
        deps.identities.passwordHash({ cleartext: password }).then(
          (h) => ({ h }),
          (err: unknown) => ({ err }),
        ),
        typeof old === 'string' && old !== '' ? deps.hasher.verify(password, old) : Promise.resolve(false),
      ]);
      if (same) throw new FlowFormError([], [{ name: 'password', message: uiText(4000039, 'The new password must be different from the old password.', 'error') }]);
      const identifiers = identity.credentials.password?.identifiers.length
        ? identity.credentials.password.identifiers
        : deps.identities.passwordIdentifiers(identity.schemaId, identity.traits);
      const policy = passwordMessage(deps.config, identifiers, password);
      if (policy) throw new FlowFormError([], [{ name: 'password', message: policy }]);
      if ('err' in hashed || !hashed.h) throw 'err' in hashed ? hashed.err : new Error('password hash missing');
      return deps.identities.withPasswordHash(identity, hashed.h);
    },
  };
}
