import { parseDuration } from './duration.js';
import { ServeConfig } from './serve-config.js';

// session.*, porta.session.* and cookies.*: lifetimes, whoami and the cookie attributes.

export type SameSite = 'Strict' | 'Lax' | 'None';
export interface CookieSettings {
  name: string;
  path: string;
  domain?: string;
  sameSite: SameSite;
  secure: boolean;
  persistent: boolean;
}

export class SessionConfig extends ServeConfig {
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
  // Read on every whoami and logout: built once (the values never change after load), and the same
  // object each time, so per-settings caches keyed by it (the clearing Set-Cookie line) hit.
  private sessionCookieMemo?: Readonly<CookieSettings>;
  private csrfCookieMemo?: Readonly<Omit<CookieSettings, 'name' | 'persistent'>>;

  /** Session cookie attributes, with Kratos's fallbacks (§3.3 of the logout spec). */
  get sessionCookie(): CookieSettings {
    return (this.sessionCookieMemo ??= Object.freeze(this.buildSessionCookie()));
  }
  private buildSessionCookie(): CookieSettings {
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
    return (this.csrfCookieMemo ??= Object.freeze(this.buildCsrfCookie()));
  }
  private buildCsrfCookie(): Omit<CookieSettings, 'name' | 'persistent'> {
    const c = this.v.cookies;
    const secure = c.secure === undefined ? !this.dev : c.secure === true;
    return { path: c.path || '/', domain: c.domain || undefined, sameSite: secure ? c.same_site || 'Lax' : 'Lax', secure };
  }
}
