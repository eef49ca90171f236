import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './writer.js';
import { exemptFromCsrf } from './csrf.js';
import { errMethodNotAllowed } from './catalogue/index.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Handler = (req: FastifyRequest, reply: FastifyReply) => unknown;
const METHODS: Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** What a route declares about itself instead of being listed by the cross-cutting code. */
export interface RouteOptions {
  /**
   * `exempt`: the CSRF middleware neither sets its cookie nor checks a token here (the handler checks the
   * token against its flow, or the route is not for browsers forms). A path with a parameter exempts
   * everything below the part before it.
   */
  csrf?: 'exempt';
  /** Headers on every response of the path, errors and 405s included. */
  headers?: Record<string, string>;
}

/**
 * Registers the handlers of one path and answers every other method with a Kratos-format 405 and an
 * Allow header, as Kratos's method-pattern router does. Each path must be defined in one call.
 */
export function defineRoutes(app: FastifyInstance, path: string, handlers: Partial<Record<Method, Handler>>, opts: RouteOptions = {}): void {
  if (opts.csrf === 'exempt') {
    const wild = path.search(/[:*]/);
    if (wild < 0) exemptFromCsrf(app, path);
    else exemptFromCsrf(app, path.slice(0, wild), { prefix: true });
  }
  const headers = opts.headers ? Object.entries(opts.headers) : undefined;
  // A route-level callback hook: only these routes pay for it (an async or global hook would cost every request).
  const onSend = headers
    ? (_req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, p: unknown) => void) => {
        for (const [k, v] of headers) reply.header(k, v);
        done(null, payload);
      }
    : undefined;
  const allowed = METHODS.filter((m) => handlers[m]);
  for (const m of allowed) app.route({ method: m, url: path, handler: handlers[m] as Handler, ...(onSend ? { onSend } : {}) });
  const others = METHODS.filter((m) => !handlers[m]);
  if (others.length === 0) return;
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
  app.route({
    method: others,
    url: path,
    ...(onSend ? { onSend } : {}),
    handler: (req, reply) => {
      reply.header('allow', allow);
      return sendError(req, reply, errMethodNotAllowed());
    },
  });
}
