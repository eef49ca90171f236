import type { FastifyRequest } from 'fastify';
import { clientIp, parseTrustedProxies } from '../x/client-ip.js';

/** The client IP of a request under `porta.trusted_proxies` (see x/client-ip.ts for the rule). */
export function clientIpResolver(trustedProxies: string[]): (req: FastifyRequest) => string {
  const proxies = parseTrustedProxies(trustedProxies);
  return (req) => clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], proxies);
}
