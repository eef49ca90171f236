import type { Identity } from '../../identity/types.js';
import type { Session, SessionEmbed, SessionHead, SessionWithEmbed, SessionWithIdentity } from '../../session/types.js';
import { identityEmbed } from '../../identity/json.js';
import { sessionEmbed } from '../../session/json.js';
import type { EndedSessionRow } from '../../session/store.js';
import type { CourierMessage } from '../../courier/message.js';
import type { DeliveryState, SessionEvent, SessionEventDelivery } from '../../session/events/store.js';
import type { FlowKind, StoredError, StoredFlow } from '../../selfservice/flow/types.js';
import { decodeDevices, decodeMethods, decodeRecovery, decodeVerifiable } from '../codec.js';
import type { Codec, ColumnTypes } from './codec.js';

/*
 * Row types and row-to-domain mappers shared by both backends; `C` is the dialect's column types and
 * the codec decodes them. The SQL that produces these rows stays per dialect.
 */

type Json = Record<string, unknown>;

/** A session's head (SESSION_HEAD_COLUMNS): what the checks on a presented token need, nothing to decode. */
export interface SessionHeadRow<C extends ColumnTypes> {
  id: string;
  identity_id: string;
  active: C['bool'];
  expires_at: C['date'];
  authenticated_at: C['date'];
  last_active_at: C['date'];
}

export function sessionHeadFromRow<C extends ColumnTypes>(c: Codec<C>, r: SessionHeadRow<C>): SessionHead {
  return {
    id: r.id,
    identityId: r.identity_id,
    active: c.bool(r.active),
    expiresAt: c.date(r.expires_at),
    authenticatedAt: c.date(r.authenticated_at),
    lastActiveAt: c.date(r.last_active_at),
  };
}

/** The session columns (SESSION_COLUMNS in each dialect): the head and the rest. */
export interface SessionRow<C extends ColumnTypes> extends SessionHeadRow<C> {
  issued_at: C['date'];
  aal: string;
  authentication_methods: C['json'];
  devices: C['json'];
  created_at: C['date'];
  updated_at: C['date'];
}

export function sessionFromRow<C extends ColumnTypes>(c: Codec<C>, r: SessionRow<C>): Session {
  return {
    ...sessionHeadFromRow(c, r),
    issuedAt: c.date(r.issued_at),
    aal: r.aal as Session['aal'],
    authenticationMethods: decodeMethods(c.json(r.authentication_methods)),
    devices: decodeDevices(c.json(r.devices)),
    createdAt: c.date(r.created_at),
    updatedAt: c.date(r.updated_at),
  };
}

/** whoami's stored session parts (migration session_embed); NULL in rows written before them. */
export interface StoredEmbeds {
  embed_head: string | null;
  embed_devices: string | null;
}

export const storedEmbed = (r: StoredEmbeds): SessionEmbed | null =>
  r.embed_head != null && r.embed_devices != null ? { head: r.embed_head, devices: r.embed_devices } : null;

/**
 * whoami's row (WHOAMI_COLUMNS in each dialect): the session's head, its stored parts and its identity's
 * head and stored JSON; nothing whoami's body would have to decode.
 */
export interface WhoamiRow<C extends ColumnTypes> extends StoredEmbeds, SessionHeadRow<C> {
  i_id: string;
  i_schema_id: string;
  i_state: string;
  i_embed: string | null;
}

/**
 * whoami's read from its row, or null when the row predates a stored part (sessions before migration
 * session_embed, identities before identity_embed): the caller then reads the full row (whoamiFromFull).
 */
export function whoamiFromRow<C extends ColumnTypes>(c: Codec<C>, r: WhoamiRow<C>): SessionWithEmbed | null {
  const own = storedEmbed(r);
  if (own === null || r.i_embed == null) return null;
  return {
    session: sessionHeadFromRow(c, r),
    identity: { id: r.i_id, state: r.i_state as Identity['state'], schemaId: r.i_schema_id },
    embed: r.i_embed,
    sessionEmbed: own,
  };
}

/** whoami's read built from the full session and identity, for a row without its stored parts. */
export function whoamiFromFull(full: SessionWithIdentity): SessionWithEmbed {
  const { session, identity } = full;
  return { session, identity: { id: identity.id, state: identity.state, schemaId: identity.schemaId }, embed: identityEmbed(identity), sessionEmbed: sessionEmbed(session) };
}

/** The values of embed_head and embed_devices for a session being written. */
export function embedColumns(s: Session): [string, string] {
  const e = sessionEmbed(s);
  return [e.head, e.devices];
}

/** What a revoking statement returns about each session it ended. */
export interface EndedRowOf<C extends ColumnTypes> {
  id: string;
  identity_id: string;
  expires_at: C['date'];
  authenticated_at: C['date'];
  last_active_at: C['date'];
}

export function endedFromRow<C extends ColumnTypes>(c: Codec<C>, r: EndedRowOf<C>): EndedSessionRow {
  return {
    id: r.id,
    identityId: r.identity_id,
    expiresAt: c.date(r.expires_at),
    authenticatedAt: c.date(r.authenticated_at),
    lastActiveAt: c.date(r.last_active_at),
  };
}

/** The identity columns under their `i_` aliases (IDENTITY_COLUMNS). */
export interface IdentityRow<C extends ColumnTypes> {
  i_id: string;
  i_schema_id: string;
  i_state: string;
  i_state_changed_at: C['date'] | null;
  i_traits: C['json'];
  i_metadata_public: C['json'] | null;
  i_metadata_admin: C['json'] | null;
  i_external_id: string | null;
  i_organization_id: string | null;
  i_verifiable_addresses: C['json'];
  i_recovery_addresses: C['json'];
  i_created_at: C['date'];
  i_updated_at: C['date'];
}

/** The identity without credentials (`{}`); identity reads add them afterwards. */
export function identityFromRow<C extends ColumnTypes>(c: Codec<C>, r: IdentityRow<C>): Identity {
  return {
    id: r.i_id,
    schemaId: r.i_schema_id,
    state: r.i_state as Identity['state'],
    stateChangedAt: c.dateOrNull(r.i_state_changed_at),
    traits: (c.json(r.i_traits) as Json | null) ?? {},
    metadataPublic: c.json(r.i_metadata_public),
    metadataAdmin: c.json(r.i_metadata_admin),
    externalId: r.i_external_id,
    organizationId: r.i_organization_id,
    verifiableAddresses: decodeVerifiable(c.json(r.i_verifiable_addresses)),
    recoveryAddresses: decodeRecovery(c.json(r.i_recovery_addresses)),
    credentials: {},
    createdAt: c.date(r.i_created_at),
    updatedAt: c.date(r.i_updated_at),
  };
}

export interface MessageRow<C extends ColumnTypes> {
  id: string;
  status: string;
  recipient: string;
  subject: string;
  body: string;
  template_type: string;
  template_data: C['json'];
  send_count: number;
  created_at: C['date'];
  updated_at: C['date'];
}

export function messageFromRow<C extends ColumnTypes>(c: Codec<C>, r: MessageRow<C>): CourierMessage {
  return {
    id: r.id,
    status: r.status as CourierMessage['status'],
    type: 'email',
    channel: 'email',
    recipient: r.recipient,
    subject: r.subject,
    body: r.body,
    templateType: r.template_type as CourierMessage['templateType'],
    templateData: (c.json(r.template_data) as Json | null) ?? {},
    sendCount: r.send_count,
    createdAt: c.date(r.created_at),
    updatedAt: c.date(r.updated_at),
  };
}

export interface FlowRow<C extends ColumnTypes> {
  id: string;
  kind: string;
  type: string;
  expires_at: C['date'];
  issued_at: C['date'];
  csrf_token: string;
  data: C['json'];
  created_at: C['date'];
  updated_at: C['date'];
}

export function flowFromRow<C extends ColumnTypes>(c: Codec<C>, r: FlowRow<C>): StoredFlow {
  return {
    id: r.id,
    kind: r.kind as FlowKind,
    type: r.type as StoredFlow['type'],
    expiresAt: c.date(r.expires_at),
    issuedAt: c.date(r.issued_at),
    csrfToken: r.csrf_token,
    data: (c.json(r.data) as Json | null) ?? {},
    createdAt: c.date(r.created_at),
    updatedAt: c.date(r.updated_at),
  };
}

export interface ErrorRow<C extends ColumnTypes> {
  id: string;
  error: C['json'];
  csrf_token: string;
  seen_at: C['date'] | null;
  created_at: C['date'];
  updated_at: C['date'];
}

export function errorFromRow<C extends ColumnTypes>(c: Codec<C>, r: ErrorRow<C>): StoredError {
  return {
    id: r.id,
    error: c.json(r.error) as Json,
    csrfToken: r.csrf_token,
    seenAt: c.dateOrNull(r.seen_at),
    createdAt: c.date(r.created_at),
    updatedAt: c.date(r.updated_at),
  };
}

/** One row of porta_session_event_deliveries (DELIVERY_COLUMNS). */
export interface DeliveryRow<C extends ColumnTypes> {
  id: string;
  event_id: string;
  receiver_id: string;
  state: string;
  attempts: number;
  next_attempt_at: C['date'];
  lease_until: C['date'] | null;
  last_status: number | null;
  last_error: string | null;
  created_at: C['date'];
  delivered_at: C['date'] | null;
}

/** The event of a delivery under its `e_` aliases (EVENT_COLUMNS), next to the delivery's columns. */
export interface EventRow<C extends ColumnTypes> {
  e_cause_id: string;
  e_reason: string;
  e_initiator: string;
  e_session_id: string;
  e_identity_id: string;
  e_occurred_at: C['date'];
  e_session: C['json'];
}

export function deliveryFromRow<C extends ColumnTypes>(c: Codec<C>, r: DeliveryRow<C>): SessionEventDelivery {
  return {
    id: r.id,
    eventId: r.event_id,
    receiverId: r.receiver_id,
    state: r.state as DeliveryState,
    attempts: r.attempts,
    nextAttemptAt: c.date(r.next_attempt_at),
    leaseUntil: c.dateOrNull(r.lease_until),
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: c.date(r.created_at),
    deliveredAt: c.dateOrNull(r.delivered_at),
  };
}

export function eventFromRow<C extends ColumnTypes>(c: Codec<C>, r: DeliveryRow<C> & EventRow<C>): SessionEvent {
  return {
    id: r.event_id,
    causeId: r.e_cause_id,
    reason: r.e_reason,
    initiator: r.e_initiator,
    sessionId: r.e_session_id,
    identityId: r.e_identity_id,
    occurredAt: c.date(r.e_occurred_at),
    session: c.json(r.e_session) as SessionEvent['session'],
  };
}
