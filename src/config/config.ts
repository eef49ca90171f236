import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfigValues, type LoadOptions } from './load.js';
import { isLoopbackHost, urlHost } from '../x/host.js';
import { parseTrustedProxies } from '../x/client-ip.js';
import { parseSessionEvents, type SessionEventSettings } from './session-events.js';
import { duration, parseUrl, type Json } from './config-core.js';
import { ADMIN_DEFAULT_HOST, type SchemaSource } from './serve-config.js';
import { SelfServiceConfig } from './selfservice-config.js';

// One import surface for callers: the Config class and the settings types of every layer.
export { ADMIN_DEFAULT_HOST, type CorsSettings, type Argon2Settings, type SchemaSource } from './serve-config.js';
export type { SameSite, CookieSettings } from './session-config.js';
export type { HookConfig, PasswordPolicy, LoginThrottleSettings } from './selfservice-config.js';

/**
 * Typed, validated view of a Kratos-format configuration. Every read the server makes goes through an
 * accessor (defined in the layer of its config section), so a default or a fallback chain lives in
 * exactly one place; this class adds the derived base URLs and the start-up validation.
 */
export class Config extends SelfServiceConfig {
  readonly publicBaseURL: URL;
  readonly adminBaseURL: URL;
  /** porta.session_events, checked at start-up (session-events.ts). */
  readonly sessionEvents: SessionEventSettings;

  constructor(values: Json, warnings: string[] = []) {
    super(values, warnings);
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
}
