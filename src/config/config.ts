import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfigValues, type LoadOptions } from './load.js';
import { parseByteSizeKiB, parseDuration } from './duration.js';
import { isLoopbackHost, urlHost } from '../x/host.js';
import { parseTrustedProxies } from '../x/client-ip.js';
import { courierSettings, type CourierSettings } from './courier.js';
import { parseSessionEvents, type SessionEventSettings } from './session-events.js';

export type SameSite = 'Strict' | 'Lax' | 'None';
/** One entry of a Kratos hook list: `{ hook: session }`, `{ hook: web_hook, config: {...} }`. */
export interface HookConfig {
  hook: string;
  config?: Record<string, unknown>;
}

export interface CookieSettings {
  name: string;
  path: string;
  domain?: string;
  sameSite: SameSite;
  secure: boolean;
  persistent: boolean;
}
export interface CorsSettings {
  enabled: boolean;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposedHeaders: string[];
  allowCredentials: boolean;
  maxAge: number;
}
export interface Argon2Settings {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  saltLength: number;
  keyLength: number;
  expectedDurationMs: number;
  expectedDeviationMs: number;
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
export interface SchemaSource {
  id: string;
  url: string;
}

type Json = Record<string, any>;

/** Porta's admin default: loopback, so an unconfigured admin API is not on the network. */
export const ADMIN_DEFAULT_HOST = '127.0.0.1';

function parseUrl(key: string, value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new ConfigError(`config key "${key}" must be an absolute URL (got ${JSON.stringify(value)})`);
  }
}

function duration(key: string, value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new ConfigError(`config key "${key}" is not a valid duration (got ${JSON.stringify(value)})`);
  }
}

/**
 * Typed, validated view of a Kratos-format configuration. Every read the server makes goes through an
 * accessor here, so a default or a fallback chain lives in exactly one place.
 */
export class Config {
  readonly warnings: string[];
  private readonly v: Json;
  readonly publicBaseURL: URL;
  readonly adminBaseURL: URL;
  private readonly generatedSecret?: string;
  /** porta.session_events, checked at start-up (session-events.ts). */
  readonly sessionEvents: SessionEventSettings;

  constructor(values: Json, warnings: string[] = []) {
    this.v = values;
    this.warnings = [...warnings];
    const pub = values.serve.public;
    const adm = values.serve.admin;
    const scheme = values.dev ? 'http' : 'https';
    this.publicBaseURL = pub.base_url
      ? parseUrl('serve.public.base_url', pub.base_url)
      : new URL(`${scheme}://${pub.host || hostname()}:${pub.port}/`);
    // Without serve.admin.host the admin server listens on loopback only (Kratos: every interface), so
    // the derived base URL names loopback too instead of the machine's host name.
    this.adminBaseURL = adm.base_url
      ? parseUrl('serve.admin.base_url', adm.base_url)
      : new URL(`${scheme}://${urlHost(adm.host || ADMIN_DEFAULT_HOST)}:${adm.port}/`);
    if (adm.host && !isLoopbackHost(adm.host)) {
      const auth = this.adminApiKeys.length ? 'API keys are required' : 'no API key is required (set porta.admin.api_keys)';
      this.warnings.push(`serve.admin.host is ${JSON.stringify(adm.host)}, not a loopback address: the admin API is reachable from the network and ${auth}`);
    }
    if (!values.selfservice.default_browser_return_url) {
      throw new ConfigError('config key "selfservice.default_browser_return_url" is required');
    }
    // Validate every URL and duration up front so that a bad value stops start-up instead of a request.
    for (const key of [
      'selfservice.default_browser_return_url',
      'selfservice.flows.login.ui_url',
      'selfservice.flows.registration.ui_url',
      'selfservice.flows.settings.ui_url',
      'selfservice.flows.error.ui_url',
      'selfservice.flows.logout.after.default_browser_return_url',
    ]) {
      const value = this.get(key);
      if (typeof value === 'string' && value !== '') parseUrl(key, value);
    }
    for (const key of [
      'session.lifespan',
      'session.earliest_possible_extend',
      'selfservice.flows.login.lifespan',
      'selfservice.flows.registration.lifespan',
      'selfservice.flows.settings.lifespan',
      'selfservice.flows.settings.privileged_session_max_age',
      'porta.login_throttle.max_backoff',
      'porta.login_throttle.window',
    ]) {
      const value = this.get(key);
      if (typeof value === 'string') duration(key, value);
    }
    try {
      parseTrustedProxies(this.trustedProxies);
    } catch (err) {
      throw new ConfigError(`config key "porta.trusted_proxies": ${(err as Error).message}`);
    }
    if (!values.identity.schemas || values.identity.schemas.length === 0) {
      throw new ConfigError('config key "identity.schemas" is required and must list at least one schema');
    }
    if (!values.identity.schemas.some((s: SchemaSource) => s.id === values.identity.default_schema_id)) {
      throw new ConfigError(`config key "identity.default_schema_id" names schema "${values.identity.default_schema_id}" which is not in identity.schemas`);
    }
    // Outside dev mode Porta never pretends to send: a flow that mails codes needs a real SMTP server.
    for (const flow of ['verification', 'recovery']) {
      if (!values.dev && values.selfservice?.flows?.[flow]?.enabled === true && !values.courier?.smtp?.connection_uri) {
        throw new ConfigError(`config key "courier.smtp.connection_uri" is required when selfservice.flows.${flow}.enabled is true (outside dev mode)`);
      }
    }
    this.sessionEvents = parseSessionEvents(values.porta.session_events, { publicBase: this.publicBaseURL, dev: this.dev, warn: (w) => this.warnings.push(w) });
    if (!this.secretsDefault().length) {
      this.generatedSecret = randomBytes(32).toString('base64url');
      this.warnings.push('secrets.default is not set: a random secret was generated; sessions and logout links will not survive a restart or work across processes');
    }
  }

  static load(opts: LoadOptions): Config {
    const { values, warnings } = loadConfigValues(opts);
    return new Config(values, warnings);
  }

  /** Raw dotted read, for the few places that need a value verbatim. */
  get(path: string): unknown {
    let cur: unknown = this.v;
    for (const part of path.split('.')) cur = (cur as Json | undefined)?.[part];
    return cur;
  }

  get dsn(): string {
    if (!this.v.dsn) throw new ConfigError('config key "dsn" is required');
    return this.v.dsn;
  }
  get dev(): boolean {
    return this.v.dev === true;
  }
  get publicListen(): { host: string; port: number } {
    return { host: this.v.serve.public.host, port: this.v.serve.public.port };
  }
  /** The admin server's address: loopback unless serve.admin.host says otherwise. */
  get adminListen(): { host: string; port: number } {
    return { host: this.v.serve.admin.host || ADMIN_DEFAULT_HOST, port: this.v.serve.admin.port };
  }
  /** Whether serve.admin.base_url was given (otherwise adminBaseURL is derived from host and port). */
  get adminBaseURLConfigured(): boolean {
    return Boolean(this.v.serve.admin.base_url);
  }
  /** porta.admin.api_keys: when non-empty, admin routes other than health require one as a Bearer token. */
  get adminApiKeys(): string[] {
    return this.v.porta.admin.api_keys;
  }
  get cors(): CorsSettings {
    const c = this.v.serve.public.cors;
    return {
      enabled: c.enabled,
      allowedOrigins: c.allowed_origins,
      allowedMethods: c.allowed_methods,
      allowedHeaders: c.allowed_headers,
      exposedHeaders: c.exposed_headers,
      allowCredentials: c.allow_credentials,
      maxAge: c.max_age,
    };
  }

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

  get sessionLifespanMs(): number {
    return parseDuration(this.v.session.lifespan);
  }
  get sessionEarliestPossibleExtendMs(): number {
    const v = this.v.session.earliest_possible_extend;
    return v ? parseDuration(v) : this.sessionLifespanMs;
  }
  /** porta.session.inactivity_timeout in ms; 0 = off (a session is then never refused for idleness). */
  get sessionInactivityTimeoutMs(): number {
    return parseDuration(this.v.porta.session.inactivity_timeout);
  }
  /** porta.session.activity_granularity in ms: how stale the recorded activity may get before whoami writes it. */
  get sessionActivityGranularityMs(): number {
    return parseDuration(this.v.porta.session.activity_granularity);
  }
  /** porta.session.max_lifetime in ms from authenticated_at; 0 = off (no absolute cap). */
  get sessionMaxLifetimeMs(): number {
    return parseDuration(this.v.porta.session.max_lifetime);
  }
  get whoamiRequiredAAL(): 'aal1' | 'highest_available' {
    return this.v.session.whoami.required_aal;
  }
  /** Session cookie attributes, with Kratos's fallbacks (§3.3 of the logout spec). */
  get sessionCookie(): CookieSettings {
    const s = this.v.session.cookie;
    const c = this.v.cookies;
    const secure = s.secure === undefined ? !this.dev : s.secure === true || s.secure === 'true';
    return {
      name: s.name,
      path: s.path || c.path || '/',
      domain: s.domain || c.domain || undefined,
      sameSite: s.same_site || c.same_site || 'Lax',
      secure,
      persistent: s.persistent !== false,
    };
  }
  /** CSRF cookie attributes (name is derived from the public base URL by the CSRF module). */
  get csrfCookie(): Omit<CookieSettings, 'name' | 'persistent'> {
    const c = this.v.cookies;
    const secure = c.secure === undefined ? !this.dev : c.secure === true;
    return { path: c.path || '/', domain: c.domain || undefined, sameSite: secure ? c.same_site || 'Lax' : 'Lax', secure };
  }

  secretsDefault(): string[] {
    return this.v.secrets.default ?? [];
  }
  /** Secrets for cookies and logout-token HMACs: the first signs, all verify. */
  get cookieSecrets(): string[] {
    const s = this.v.secrets.cookie?.length ? this.v.secrets.cookie : this.secretsDefault();
    return s.length ? s : [this.generatedSecret as string];
  }

  get identitySchemas(): SchemaSource[] {
    return this.v.identity.schemas;
  }
  get defaultSchemaId(): string {
    return this.v.identity.default_schema_id;
  }

  get hasherAlgorithm(): 'argon2' | 'bcrypt' {
    return this.v.hashers.algorithm;
  }
  get argon2(): Argon2Settings {
    const a = this.v.hashers.argon2;
    return {
      memoryKiB: parseByteSizeKiB(a.memory),
      iterations: a.iterations,
      parallelism: a.parallelism,
      saltLength: a.salt_length,
      keyLength: a.key_length,
      expectedDurationMs: a.expected_duration ? parseDuration(a.expected_duration) : 500,
      expectedDeviationMs: a.expected_deviation ? parseDuration(a.expected_deviation) : 500,
    };
  }
  get bcryptCost(): number {
    return this.v.hashers.bcrypt.cost;
  }

  get log(): { level: string; format: 'json' | 'text'; leakSensitiveValues: boolean } {
    const l = this.v.log;
    return { level: l.level === 'warning' ? 'warn' : l.level === 'panic' ? 'fatal' : l.level, format: l.format, leakSensitiveValues: l.leak_sensitive_values };
  }

  get uiEnabled(): boolean {
    return this.v.porta.ui.enabled !== false;
  }
  get sqliteCheckpointIntervalMs(): number {
    return parseDuration(this.v.porta.sqlite.checkpoint_interval);
  }
  /** courier.* (SMTP, retries, worker, templates) and porta.courier.*; validated by courierSettings. */
  get courier(): CourierSettings {
    return courierSettings(this.v);
  }
  get sqliteWalMaxPages(): number {
    return this.v.porta.sqlite.wal_max_pages;
  }
  get verificationEnabled(): boolean {
    return this.v.selfservice.flows.verification?.enabled === true;
  }
  get verificationNotifyUnknown(): boolean {
    return this.v.selfservice.flows.verification?.notify_unknown_recipients === true;
  }
  /** Secrets the codes' HMAC is keyed with: the first issues, all verify (rotation). */
  get codeSecrets(): string[] {
    const s = this.secretsDefault();
    return s.length ? s : this.cookieSecrets;
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
  /** Addresses and CIDR ranges of reverse proxies whose X-Forwarded-For is believed. */
  get trustedProxies(): string[] {
    return this.v.porta.trusted_proxies;
  }
}
