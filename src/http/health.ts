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
    GET: async (_req, reply) => {
      try {
        await deps.ping();
        return { status: 'ok' };
      } catch (err) {
        reply.code(503);
        return { errors: { database: (err as Error).message || 'database is not reachable' } };
      }
    },
  });
  defineRoutes(app, `${prefix}/version`, { GET: async () => ({ version: deps.version }) }, { csrf: 'exempt' });
}
