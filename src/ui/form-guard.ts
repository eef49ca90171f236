import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { safeEqual } from '../x/tokens.js';

/**
 * CSRF protection for the UI's own state-changing forms (revoke a device, log out everywhere else).
 * Two independent checks: the browser must say the request is same-origin (Sec-Fetch-Site and Origin,
 * when sent), and the form must carry a token that only this UI can compute, bound to the signed-in
 * session, so a page from elsewhere can neither forge nor reuse one.
 */
export class FormGuard {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly publicOrigin: string,
  ) {
    this.key = createHmac('sha256', secret).update('porta/ui/form-guard').digest();
  }

  token(sessionId: string): string {
    return createHmac('sha256', this.key).update(sessionId).digest('base64url');
  }

  /** True when the request comes from one of our own pages; says nothing about the token. */
  sameOrigin(req: FastifyRequest): boolean {
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin') return false;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== this.publicOrigin) return false;
    return true;
  }

  check(req: FastifyRequest, sessionId: string, submitted: string | undefined): boolean {
    if (!this.sameOrigin(req)) return false;
    return typeof submitted === 'string' && safeEqual(submitted, this.token(sessionId));
  }
}
