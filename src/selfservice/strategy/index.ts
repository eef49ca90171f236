import type { Config } from '../../config/config.js';
import type { IdentityManager } from '../../identity/manager.js';
import type { Hasher } from '../../hash/hasher.js';
import { passwordStrategy } from './password/index.js';
import { profileStrategy } from './profile/index.js';
import type { Strategy } from './types.js';

/** The built-in methods, in Kratos's node order. A new method is a folder here and one line in this list. */
export function builtinStrategies(deps: { config: Config; identities: IdentityManager; hasher: Hasher }): Strategy[] {
  return [passwordStrategy(deps), profileStrategy(deps)];
}
