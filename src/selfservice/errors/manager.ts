import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { ErrorStore } from './store.js';
import { toPortaError } from '../../http/errors.js';
import { acceptsJson, isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { newId } from '../../x/tokens.js';
import { copyWithQuery, seeOther } from './redirect.js';

export interface ErrorManagerDeps {
  config: Config;
  store: ErrorStore;
  logger: Logger;
  /** The request's CSRF token, recorded with the container as Kratos does. Optional: '' without it. */
  csrf?: { token(req: FastifyRequest, reply: FastifyReply): string };
}

/**
 * errorx.Manager.Forward: JSON clients get the error body; browsers get the error stored and a 303 to
 * selfservice.flows.error.ui_url?id=... Every self-service endpoint forwards its errors through here.
 */
export class ErrorManager {
  constructor(readonly deps: ErrorManagerDeps) {}

  async forward(req: FastifyRequest, reply: FastifyReply, err: unknown): Promise<FastifyReply> {
    if (isJsonRequest(req)) return sendError(req, reply, err);
    const e = toPortaError(err);
    // The container would go to the database that is unavailable: answer at once instead of waiting
    // for a second failure (and a redirect to an error page that could not be read either).
    if (e.code === 503) return sendError(req, reply, e);
    const id = newId();
    try {
      const now = new Date();
      await this.deps.store.createError({
        id,
        error: e.toBody() as unknown as Record<string, unknown>,
        csrfToken: this.csrfToken(req, reply),
        seenAt: null,
        createdAt: now,
        updatedAt: now,
      });
    } catch (storeErr) {
      this.deps.logger.error({ err: storeErr }, 'could not store a self-service error container');
      return sendError(req, reply, e);
    }
    if (acceptsJson(req)) return sendError(req, reply, e);
    if (e.code >= 500) req.log.error({ err: (e.cause as Error) ?? e }, 'self-service request failed');
    return seeOther(req, reply, copyWithQuery(this.deps.config.errorUIURL, { id }));
  }

  private csrfToken(req: FastifyRequest, reply: FastifyReply): string {
    try {
      return this.deps.csrf?.token(req, reply) ?? '';
    } catch {
      return '';
    }
  }
}
