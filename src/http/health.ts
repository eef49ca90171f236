import type { FastifyInstance } from 'fastify';
import { defineRoutes } from './routes.js';
import { exemptFromCsrf } from './csrf.js';

export interface HealthDeps {
  ping(): Promise<void>;
  version: string;
}

/** /health/alive, /health/ready and /version, on both servers (admin paths carry /admin after the rewrite). */
export function registerHealthRoutes(app: FastifyInstance, prefix: '' | '/admin', deps: HealthDeps): void {
  exemptFromCsrf(app, `${prefix}/health/`, { prefix: true });
  defineRoutes(app, `${prefix}/health/alive`, { GET: async () => ({ status: 'ok' }) });
  defineRoutes(app, `${prefix}/health/ready`, {
    GET: async (req, reply) => {
      try {
        await deps.ping();
        return { status: 'ok' };
      } catch (err) {
        // Kratos puts the driver's error text here; it names hosts and ports to anyone who can reach
        // the probe, so the operator gets it in the log and the probe a fixed text.
        req.log.warn({ err: (err as Error).message }, 'readiness check failed');
        reply.code(503);
        return { errors: { database: 'the database is not reachable' } };
      }
    },
  });
  defineRoutes(app, `${prefix}/version`, { GET: async () => ({ version: deps.version }) }, { csrf: 'exempt' });
}
