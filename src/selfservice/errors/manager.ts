import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { ErrorStore } from '../../persistence/types.js';

export interface ErrorManagerDeps {
  config: Config;
  store: ErrorStore;
  logger: Logger;
}

/**
 * STUB (owned by the logout helper). errorx.Manager.Forward: JSON clients get the error body; browsers
 * get the error stored and a 303 to selfservice.flows.error.ui_url?id=...
 */
export class ErrorManager {
  constructor(readonly deps: ErrorManagerDeps) {}
  async forward(_req: FastifyRequest, _reply: FastifyReply, _err: unknown): Promise<FastifyReply> {
    throw new Error('not implemented');
  }
}
