import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PortaError } from './errors.js';
import { sendError } from './writer.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Handler = (req: FastifyRequest, reply: FastifyReply) => unknown;
const METHODS: Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Registers the handlers of one path and answers every other method with a Kratos-format 405 and an
 * Allow header, as Kratos's method-pattern router does. Each path must be defined in one call.
 */
export function defineRoutes(app: FastifyInstance, path: string, handlers: Partial<Record<Method, Handler>>): void {
  const allowed = METHODS.filter((m) => handlers[m]);
  for (const m of allowed) app.route({ method: m, url: path, handler: handlers[m] as Handler });
  const others = METHODS.filter((m) => !handlers[m]);
  if (others.length === 0) return;
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
  app.route({
    method: others,
    url: path,
    handler: (req, reply) => {
      reply.header('allow', allow);
      return sendError(req, reply, new PortaError(405));
    },
  });
}
