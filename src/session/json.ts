import type { Config } from '../config/config.js';
import type { Identity } from '../identity/types.js';
import { identityToJSON } from '../identity/json.js';
import type { IdentityHead, Session, SessionEmbed, SessionHead } from './types.js';
import { withSchemaURL } from '../identity/json.js';
import { goEscape } from '../x/go/json.js';
import { goTime } from '../x/go/time.js';
import { SessionLimits } from './limits.js';

/**
 * Kratos's Session.IsActive: the stored flag, unexpired, and the identity active when it is known; with
 * `limits`, also within Porta's inactivity timeout and absolute lifetime.
 */
export function isSessionActive(session: Pick<Session, 'active' | 'expiresAt' | 'authenticatedAt' | 'lastActiveAt'>, identity: Pick<Identity, 'state'> | null | undefined, now = Date.now(), limits?: SessionLimits): boolean {
  const live = limits ? limits.isLive(session, now) : session.expiresAt.getTime() > now;
  return session.active && live && (identity == null || identity.state === 'active');
}

// One SessionLimits per Config: rendering a list must not re-parse three durations per session.
const limitsOf = new WeakMap<Config, SessionLimits>();
function limitsFor(config: Config): SessionLimits {
  let l = limitsOf.get(config);
  if (!l) limitsOf.set(config, (l = new SessionLimits(config)));
  return l;
}

export interface SessionJSONOptions {
  config: Config;
  /** The session's identity: decides `active`, and is embedded unless `embedIdentity` is false. */
  identity?: Identity | null;
  /** Default true. False renders `identity: null` (not expanded) while still using it for `active`. */
  embedIdentity?: boolean;
  /** true: the device list; 'empty': `[]` (Kratos's getSession without expand); false: `null`. */
  devices?: boolean | 'empty';
  /** Admin responses (Kratos's AdminSession): identity with metadata_admin, emitted after devices. */
  metadataAdmin?: boolean;
  now?: Date;
}

/** The session's own fields, in Kratos's key order, before `identity` and `devices`. */
function sessionHead(session: Session, identity: Parameters<typeof isSessionActive>[1], now: number, limits: ReturnType<typeof limitsFor>): Record<string, unknown> {
  return {
    id: session.id,
    active: isSessionActive(session, identity, now, limits),
    expires_at: goTime(limits.expiresAt(session)),
    authenticated_at: goTime(session.authenticatedAt),
    authenticator_assurance_level: session.aal,
    authentication_methods: session.authenticationMethods.map((m) => ({ method: m.method, aal: m.aal, completed_at: goTime(m.completedAt) })),
    issued_at: goTime(session.issuedAt),
  };
}

const devicesJSON = (session: Session) => session.devices.map((d) => ({ id: d.id, ip_address: d.ipAddress, user_agent: d.userAgent, location: d.location }));

/**
 * Session JSON in Kratos's key order; `active` computed (stored flag && unexpired && identity active
 * when known). The identity is embedded without credentials; `metadataAdmin` only for admin
 * responses. Tokens are never part of it.
 */
export function sessionToJSON(session: Session, opts: SessionJSONOptions): Record<string, unknown> {
  const now = (opts.now ?? new Date()).getTime();
  const limits = limitsFor(opts.config);
  const identity = opts.identity ?? null;
  const embedded =
    identity && opts.embedIdentity !== false
      ? identityToJSON(identity, { config: opts.config, credentials: 'none', metadataAdmin: opts.metadataAdmin === true })
      : null;
  const devices =
    opts.devices === true
      ? devicesJSON(session)
      : opts.devices === 'empty'
        ? []
        : null;
  const out = sessionHead(session, identity, now, limits);
  // Go orders an AdminSession's shadowing `identity` field after the embedded session's fields.
  if (opts.metadataAdmin) {
    out.devices = devices;
    out.identity = embedded;
  } else {
    out.identity = embedded;
    out.devices = devices;
  }
  return out;
}

/** The session's stored parts of whoami's body (types.ts SessionEmbed), written with every session write. */
export function sessionEmbed(session: Session): SessionEmbed {
  const head = JSON.stringify({
    authenticated_at: goTime(session.authenticatedAt),
    authenticator_assurance_level: session.aal,
    authentication_methods: session.authenticationMethods.map((m) => ({ method: m.method, aal: m.aal, completed_at: goTime(m.completedAt) })),
    issued_at: goTime(session.issuedAt),
  });
  return { head: goEscape(head.slice(1, -1)), devices: goEscape(JSON.stringify(devicesJSON(session))) };
}

/**
 * whoami's body as a string: the bytes of goJson(sessionToJSON(session, { identity, devices: true })),
 * with the identity's stored JSON (identityEmbed) and the session's stored parts (sessionEmbed) spliced in
 * as they are, not decoded and re-serialised.
 */
export function sessionBodyWithEmbed(session: SessionHead, identity: IdentityHead, embed: string, config: Config, own: SessionEmbed, now = Date.now()): string {
  const limits = limitsFor(config);
  return (
    `{"id":${goEscape(JSON.stringify(session.id))},"active":${isSessionActive(session, identity, now, limits)},"expires_at":"${goTime(limits.expiresAt(session))}",${own.head},` +
    `"identity":${withSchemaURL(config, identity.schemaId, embed)},"devices":${own.devices}}\n`
  );
}
