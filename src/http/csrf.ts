import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { PortaError } from './errors.js';

/**
 * STUB (owned by the login/registration helper). Kratos's nosurf double-submit CSRF: cookie
 * `csrf_token_<sha256(public base_url)>` holding 32 random bytes (base64), masked tokens in forms,
 * `security_csrf_violation` 403s with Kratos's reject reasons and hints.
 */
export class CsrfManager {
  constructor(readonly config: Config) {}
  get cookieName(): string {
    throw new Error('not implemented');
  }
  /** Installs the middleware on the public server (Vary: Cookie, cookie when missing, unsafe-method check). */
  register(_app: FastifyInstance): void {
    throw new Error('not implemented');
  }
  /** The request's raw token, generating and setting a cookie when it has none. */
  token(_req: FastifyRequest, _reply: FastifyReply): string {
    throw new Error('not implemented');
  }
  /** A fresh masked rendering of the request's token, for a csrf_token node. */
  masked(_req: FastifyRequest, _reply: FastifyReply): string {
    throw new Error('not implemented');
  }
  /** Constant-time check of a submitted (masked or raw) token against the request's cookie. */
  verify(_req: FastifyRequest, _submitted: string | undefined): boolean {
    throw new Error('not implemented');
  }
  /** Sets a new CSRF cookie (login, logout), at most once per response. */
  regenerate(_req: FastifyRequest, _reply: FastifyReply): string {
    throw new Error('not implemented');
  }
  /** The exact Kratos 403 for this request (reject reason and hint chosen as Kratos does). */
  violation(_req: FastifyRequest): PortaError {
    throw new Error('not implemented');
  }
}
