import type { Config } from '../../config/config.js';
import type { LoginMethod, RegistrationMethod, SettingsMethod, Strategy } from './types.js';

/**
 * The methods Porta offers, in the order their nodes are rendered. Built once by the app factory from
 * the built-in list (strategy/index.ts) plus any the embedding code adds.
 */
export class StrategyRegistry {
  private readonly byId = new Map<string, Strategy>();

  constructor(
    private readonly config: Config,
    readonly all: readonly Strategy[],
  ) {
    for (const s of all) {
      if (this.byId.has(s.id)) throw new Error(`self-service method ${s.id} is registered twice`);
      this.byId.set(s.id, s);
    }
  }

  /** Enabled methods that take part in login, in rendering order. */
  loginMethods(): Array<Strategy & { login: LoginMethod }> {
    return this.all.filter((s): s is Strategy & { login: LoginMethod } => s.login !== undefined && s.enabled(this.config));
  }

  registrationMethods(): Array<Strategy & { registration: RegistrationMethod }> {
    return this.all.filter((s): s is Strategy & { registration: RegistrationMethod } => s.registration !== undefined && s.enabled(this.config));
  }

  settingsMethods(): Array<Strategy & { settings: SettingsMethod }> {
    return this.all.filter((s): s is Strategy & { settings: SettingsMethod } => s.settings !== undefined && s.enabled(this.config));
  }

  /** The method a submit names, whether or not it is enabled (a disabled one answers differently). */
  forSubmit(method: string | undefined, part: 'login' | 'registration' | 'settings'): Strategy | undefined {
    const s = method === undefined ? undefined : this.byId.get(method);
    return s && s[part] ? s : undefined;
  }
}
