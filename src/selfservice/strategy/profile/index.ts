import type { IdentityManager } from '../../../identity/manager.js';
import type { Strategy } from '../types.js';
import { profileSettings } from './settings.js';

/** The `profile` method (selfservice.methods.profile): changing traits in the settings flow. */
export function profileStrategy(deps: { identities: IdentityManager }): Strategy {
  return {
    id: 'profile',
    aal: 'aal1',
    enabled: (config) => config.profileMethodEnabled,
    settings: profileSettings(deps),
  };
}
