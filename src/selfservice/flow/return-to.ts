import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';

export interface ReturnTo {
  url: URL;
  /** What goes into Location and logout_url: the input unchanged when already canonical, else url.href. */
  href: string;
}

/**
 * STUB (owned by the logout helper). The one return_to validator of every flow: Kratos's allow-list
 * semantics plus the contract's hardening. Unsafe allow-list entries are dropped at construction with a
 * warning.
 */
export class ReturnToValidator {
  constructor(readonly config: Config, readonly logger: Logger) {}
  /**
   * Reads `return_to` from the request's query once. Undefined when absent or empty. Throws PortaError
   * 400 `self_service_flow_return_to_forbidden` when repeated, hostile, or not allowed. Relative values
   * resolve against `defaultURL`.
   */
  fromRequest(_req: FastifyRequest, _defaultURL: URL): ReturnTo | undefined {
    throw new Error('not implemented');
  }
  /** Validates one raw value (same rules). */
  validate(_raw: string, _defaultURL: URL): ReturnTo {
    throw new Error('not implemented');
  }
}
