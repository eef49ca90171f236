import type { Config } from '../../../config/config.js';
import type { IdentityManager } from '../../../identity/manager.js';
import type { Hasher } from '../../../hash/hasher.js';
import type { Strategy } from '../types.js';
import { passwordLogin } from './login.js';
import { passwordRegistration } from './registration.js';
import { passwordSettings } from './settings.js';

/** The `password` method (selfservice.methods.password): login, one-step registration and changing the password in settings. */
export function passwordStrategy(deps: { config: Config; identities: IdentityManager; hasher: Hasher }): Strategy {
  return {
    id: 'password',
    aal: 'aal1',
    enabled: (config) => config.passwordPolicy.enabled,
    login: passwordLogin(deps),
    registration: passwordRegistration(deps),
    settings: passwordSettings(deps),
  };
}
