import type { Config } from '../../config/config.js';
import type { CsrfManager } from '../../http/csrf.js';
import type { SessionManager } from '../../session/manager.js';
import type { ErrorManager } from '../errors/manager.js';
import type { ReturnToValidator } from '../flow/return-to.js';
import type { LogoutHooks } from '../hook/logout.js';

/** What the logout endpoints use of the registry. */
export interface LogoutDeps {
  config: Config;
  sessions: SessionManager;
  csrf: Pick<CsrfManager, 'regenerate'>;
  returnTo: ReturnToValidator;
  errors: ErrorManager;
  /** `selfservice.flows.logout.after.hooks`; absent when none is configured. */
  logoutHooks?: LogoutHooks;
}
