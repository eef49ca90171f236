import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { Servers } from '../../http/server.js';
import { defineRoutes } from '../../http/routes.js';
import { queryOf } from '../../http/query.js';
import { readJsonBody } from '../../http/body.js';
import type { DeliveryState, SessionEventDelivery, SessionEventStore } from './store.js';
import { isUUID as isUuid } from '../../x/tokens.js';
import type { SessionEventDispatcher } from './dispatcher.js';
import { errAlreadyDelivered, errBadDeliveryBody, errBadDeliveryState, errNoRows, errPageSizeRange, errPageToken } from '../../http/catalogue/index.js';

export interface SessionEventRouteDeps {
  config: Config;
  logger: Logger;
  store: SessionEventStore;
  /** Absent while no receiver is configured. */
  dispatcher?: SessionEventDispatcher;
}

const STATES = new Set<DeliveryState>(['pending', 'delivered', 'failed', 'expired', 'orphaned']);
const iso = (d: Date | null) => (d ? d.toISOString() : null);

function deliveryJSON(d: SessionEventDelivery) {
  return {
    id: d.id,
    event_id: d.eventId,
    receiver_id: d.receiverId,
    state: d.state,
    attempts: d.attempts,
    next_attempt_at: iso(d.nextAttemptAt),
    lease_until: iso(d.leaseUntil),
    last_status: d.lastStatus,
    last_error: d.lastError,
    created_at: iso(d.createdAt),
    delivered_at: iso(d.deliveredAt),
  };
}

const idParam = (req: FastifyRequest) => (req.params as { id: string }).id;

/**
 * §C.4.7: SSF discovery and the JWKS on the public port (only while a caep_set receiver exists, so
 * otherwise they are unknown routes), and the outbox admin routes on the admin port.
 */
export function registerSessionEventRoutes(servers: Servers, deps: SessionEventRouteDeps): void {
  const { config, store, dispatcher } = deps;
  const set = config.sessionEvents.set;
  if (set) {
    const base = config.publicBaseURL.href.replace(/\/$/, '');
    // SSF §7.2: the well-known segment goes between the issuer's host and its path.
    const issuerPath = new URL(set.issuer).pathname.replace(/\/$/, '');
    const metadata = {
      spec_version: '1_0',
      issuer: set.issuer,
      jwks_uri: `${base}/porta/ssf/jwks.json`,
      delivery_methods_supported: ['urn:ietf:rfc:8935'],
      default_subjects: 'ALL',
    };
    defineRoutes(servers.public, `/.well-known/ssf-configuration${issuerPath}`, { GET: (_req, reply) => reply.header('cache-control', 'max-age=300').send(metadata) }, { csrf: 'exempt' });
    const jwks = { keys: set.keys.map((k) => k.publicJwk) };
    defineRoutes(servers.public, '/porta/ssf/jwks.json', { GET: (_req, reply) => reply.header('cache-control', 'max-age=300').send(jwks) }, { csrf: 'exempt' });
  }

  defineRoutes(servers.admin, '/admin/porta/session-events/deliveries', {
    GET: async (req, reply) => {
      const q = queryOf(req);
      const state = q.get('state') || undefined;
      if (state !== undefined && !STATES.has(state as DeliveryState)) throw errBadDeliveryState(STATES);
      const sizeRaw = q.get('page_size');
      const size = sizeRaw ? Number.parseInt(sizeRaw, 10) : 250;
      if (!Number.isInteger(size) || size < 1 || size > 1000) throw errPageSizeRange(1000);
      const token = q.get('page_token') || undefined;
      if (token !== undefined && !isUuid(token)) throw errPageToken();
      const rows = await store.listDeliveries({ receiverId: q.get('receiver_id') || undefined, state: state as DeliveryState | undefined, limit: size, afterId: token });
      if (rows.length === size) {
        const next = new URL(req.url, 'http://x');
        next.searchParams.set('page_token', rows[rows.length - 1].id);
        next.searchParams.set('page_size', String(size));
        reply.header('link', `<${next.pathname}${next.search}>; rel="next"`);
      }
      return reply.send(rows.map(deliveryJSON));
    },
  });

  defineRoutes(servers.admin, '/admin/porta/session-events/deliveries/:id/retry', {
    POST: async (req, reply) => {
      const r = await store.retryDelivery(idParam(req), new Date());
      if (r === 'missing') throw errNoRows();
      if (r === 'delivered') throw errAlreadyDelivered();
      dispatcher?.kick();
      return reply.code(204).send();
    },
  });

  defineRoutes(servers.admin, '/admin/porta/session-events/receivers/:id/verification', {
    POST: async (req, reply) => {
      const receiver = config.sessionEvents.receiver(idParam(req));
      if (!receiver || !dispatcher) throw errNoRows();
      // The body is optional: none, or {"state": "..."}.
      const raw = req.body as Buffer | undefined;
      const body = raw && raw.length > 0 ? (readJsonBody(req) as { state?: unknown } | null) : undefined;
      if (body !== undefined && (body === null || typeof body !== 'object' || (body.state !== undefined && typeof body.state !== 'string'))) {
        throw errBadDeliveryBody();
      }
      const state = body?.state as string | undefined;
      void dispatcher.verify(receiver, state).catch((err) => deps.logger.warn({ err: (err as Error).message, receiverId: receiver.id }, 'session-event receiver verification failed'));
      return reply.code(204).send();
    },
  });
}
