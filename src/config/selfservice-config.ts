import { parseDuration } from './duration.js';
import { SessionConfig } from './session-config.js';

// selfservice.* (flows, methods, hooks, return URLs) and the throttles of porta.* that guard the flows.

/** One entry of a Kratos hook list: `{ hook: session }`, `{ hook: web_hook, config: {...} }`. */
export interface HookConfig {
  hook: string;
  config?: Record<string, unknown>;
}
export interface PasswordPolicy {
  enabled: boolean;
  minPasswordLength: number;
  identifierSimilarityCheck: boolean;
}
export interface LoginThrottleSettings {
  enabled: boolean;
  /** Consecutive failures per identifier and IP before backoff starts. */
  freeFailures: number;
  /** The first backoff; each further failure doubles it up to maxBackoffMs. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** Failures per identifier (all IPs) and per IP (all identifiers) per window. */
  perIdentifier: number;
  perIp: number;
  windowMs: number;
}

export class SelfServiceConfig extends SessionConfig {
  get defaultBrowserReturnURL(): URL {
    return new URL(this.v.selfservice.default_browser_return_url);
  }
  get allowedReturnURLs(): string[] {
    return this.v.selfservice.allowed_return_urls;
  }
  /** selfservice.flows.logout.after.default_browser_return_url, falling back as Kratos does. */
  get logoutRedirectURL(): URL {
    const v = this.v.selfservice.flows.logout.after?.default_browser_return_url;
    return v ? new URL(v) : this.defaultBrowserReturnURL;
  }
  get logoutClearBrowserData(): boolean {
    return this.v.selfservice.flows.logout.clear_browser_data === true;
  }
  get errorUIURL(): URL {
    return new URL(this.v.selfservice.flows.error.ui_url);
  }
  /** selfservice.flows.<kind>.ui_url */
  flowUIURL(kind: string): URL {
    return new URL(this.flowConfig(kind).ui_url);
  }
  /** selfservice.flows.<kind>.lifespan */
  flowLifespanMs(kind: string): number {
    return parseDuration(this.flowConfig(kind).lifespan);
  }
  private flowConfig(kind: string): Record<string, any> {
    const flow = (this.v.selfservice.flows as Record<string, any>)[kind];
    if (!flow) throw new Error(`selfservice.flows.${kind} has no configuration`);
    return flow;
  }
  /** selfservice.flows.recovery.enabled (Kratos's default: off). */
  get recoveryEnabled(): boolean {
    return this.v.selfservice.flows.recovery.enabled === true;
  }
  get recoveryNotifyUnknownRecipients(): boolean {
    return this.v.selfservice.flows.recovery.notify_unknown_recipients === true;
  }
  /** selfservice.methods.code: enabled, code lifespan, tries per flow. */
  get codeMethod(): { enabled: boolean; lifespanMs: number; maxSubmissions: number } {
    const c = this.v.selfservice.methods.code;
    return { enabled: c.enabled !== false, lifespanMs: parseDuration(c.config.lifespan), maxSubmissions: c.config.max_submissions };
  }
  get registrationEnabled(): boolean {
    return this.v.selfservice.flows.registration.enabled !== false;
  }
  /** Kratos's selfServiceReturnTo chain: method-specific, then flow-specific, then the global default. */
  afterReturnURL(flow: string, method = 'password'): URL {
    const after = this.flowConfig(flow).after ?? {};
    const v = after[method]?.default_browser_return_url || after.default_browser_return_url;
    return v ? new URL(v) : this.defaultBrowserReturnURL;
  }
  /** `selfservice.flows.<flow>.<phase>.<method>.hooks`, or the flow-wide `.<phase>.hooks` without a method. */
  flowHooks(flow: string, phase: 'before' | 'after', method?: string): HookConfig[] {
    const p = this.flowConfig(flow)[phase] ?? {};
    return ((method ? p[method]?.hooks : p.hooks) ?? []) as HookConfig[];
  }
  /** selfservice.flows.settings.privileged_session_max_age; 0 or less means every session is privileged. */
  get privilegedSessionMaxAgeMs(): number {
    return parseDuration(this.v.selfservice.flows.settings.privileged_session_max_age);
  }
  get profileMethodEnabled(): boolean {
    return this.v.selfservice.methods.profile.enabled !== false;
  }
  get settingsRequiredAAL(): 'aal1' | 'highest_available' {
    return this.v.selfservice.flows.settings.required_aal;
  }
  get passwordPolicy(): PasswordPolicy {
    const p = this.v.selfservice.methods.password;
    return {
      enabled: p.enabled,
      minPasswordLength: p.config.min_password_length,
      identifierSimilarityCheck: p.config.identifier_similarity_check_enabled,
    };
  }
  get verificationEnabled(): boolean {
    return this.v.selfservice.flows.verification?.enabled === true;
  }
  get verificationNotifyUnknown(): boolean {
    return this.v.selfservice.flows.verification?.notify_unknown_recipients === true;
  }
  /** porta.send_throttle: codes per recipient and per client IP within one window. */
  get sendThrottle(): { perRecipient: number; perIp: number; windowMs: number } {
    const t = this.v.porta.send_throttle ?? {};
    return { perRecipient: t.per_recipient ?? 5, perIp: t.per_ip ?? 100, windowMs: parseDuration(t.window ?? '1h') };
  }
  get loginThrottle(): LoginThrottleSettings {
    const t = this.v.porta.login_throttle;
    return {
      enabled: t.enabled,
      freeFailures: t.free_failures,
      baseBackoffMs: 1000,
      maxBackoffMs: parseDuration(t.max_backoff),
      perIdentifier: t.per_identifier,
      perIp: t.per_ip,
      windowMs: parseDuration(t.window),
    };
  }
}
