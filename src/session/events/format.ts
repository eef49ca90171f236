import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SessionEventReceiver, SetSettings } from '../../config/session-events.js';
import type { ClaimedDelivery } from './store.js';
import { VERSION } from '../../version.js';

/** What one attempt sends: the receiver's URL with these headers and this body. */
export interface Outgoing {
  headers: Record<string, string>;
  body: string;
}

export const CAEP_SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
export const SSF_VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';

const USER_AGENT = `Porta/${VERSION}`;

/** Standard Webhooks: v1 = base64 HMAC-SHA256 over `id.timestamp.body` with the decoded whsec_ key. */
function signWebhook(key: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** A `json` POST (§C.4.5): the body is the same on every attempt; only the per-attempt headers change. */
export function jsonOutgoing(receiver: SessionEventReceiver, id: string, payload: Record<string, unknown>, attempt: number, now: Date): Outgoing {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    ...receiver.headers,
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'porta-event-id': id,
    'porta-delivery-attempt': String(attempt),
  };
  if (receiver.signingKey) {
    const ts = Math.floor(now.getTime() / 1000);
    headers['webhook-id'] = id;
    headers['webhook-timestamp'] = String(ts);
    headers['webhook-signature'] = signWebhook(receiver.signingKey, id, ts, body);
  }
  return { headers, body };
}

/** The `json` body of a session event, keys in the documented order. */
export function jsonEventPayload(c: ClaimedDelivery): Record<string, unknown> {
  const e = c.event;
  return {
    id: e.id,
    type: 'session.revoked',
    cause_id: e.causeId,
    occurred_at: e.occurredAt.toISOString(),
    reason: e.reason,
    initiator: e.initiator,
    session: {
      id: e.session.id,
      authenticated_at: e.session.authenticated_at,
      expires_at: e.session.expires_at,
      authenticator_assurance_level: e.session.authenticator_assurance_level,
    },
    identity: { id: e.identityId },
  };
}

/** Signs a SET with the first configured key: typ secevent+jwt, no `sub`, no `exp` (SSF §4.1). */
export async function signSet(set: SetSettings, claims: Record<string, unknown>): Promise<string> {
  const key = set.keys[0];
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'secevent+jwt' }).sign(key.key);
}

/** An RFC 8935 push of a compact SET. */
export function setOutgoing(receiver: SessionEventReceiver, jws: string): Outgoing {
  return {
    headers: { ...receiver.headers, 'content-type': 'application/secevent+jwt', accept: 'application/json', 'user-agent': USER_AGENT },
    body: jws,
  };
}

/**
 * The CAEP session-revoked claims (§C.4.6). Every value comes from stored rows (iat from the delivery's
 * creation), so a retry carries the same claims.
 */
export function caepClaims(set: SetSettings, receiver: SessionEventReceiver, c: ClaimedDelivery): Record<string, unknown> {
  const e = c.event;
  const user = set.userFormat === 'opaque' ? { format: 'opaque', id: e.identityId } : { format: 'iss_sub', iss: set.issuer, sub: e.identityId };
  return {
    iss: set.issuer,
    iat: Math.floor(c.delivery.createdAt.getTime() / 1000),
    jti: c.delivery.id,
    aud: receiver.audience,
    txn: e.causeId,
    sub_id: { format: 'complex', session: { format: 'opaque', id: e.sessionId }, user },
    events: {
      [CAEP_SESSION_REVOKED]: {
        event_timestamp: Math.floor(e.occurredAt.getTime() / 1000),
        initiating_entity: e.initiator,
        reason_admin: { en: e.reason },
      },
    },
  };
}

/** SSF §8.1.4.1 verification event for a receiver (caep_set), as claims. */
export function verificationClaims(set: SetSettings, receiver: SessionEventReceiver, jti: string, state: string | undefined, now: Date): Record<string, unknown> {
  return {
    iss: set.issuer,
    iat: Math.floor(now.getTime() / 1000),
    jti,
    aud: receiver.audience,
    sub_id: { format: 'opaque', id: receiver.id },
    events: { [SSF_VERIFICATION]: state === undefined ? {} : { state } },
  };
}
