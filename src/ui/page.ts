import type { FastifyReply } from 'fastify';

/**
 * Response headers every UI response carries. The CSP allows no script at all, styles only from the
 * stylesheet, and forms only to the UI itself and the public API (where login and registration post),
 * plus the origins the API may redirect a submitted form to (allowed return URLs): Chromium applies
 * form-action to the redirects that follow a form post, so without them a login with an allowed
 * `return_to` on another origin would be stopped by the browser.
 */
export function contentSecurityPolicy(publicOrigin: string, returnOrigins: string[] = []): string {
  const formTargets = [...new Set(["'self'", publicOrigin, ...returnOrigins])].join(' ');
  return [
    "default-src 'none'",
    "style-src 'self'",
    `form-action ${formTargets}`,
    "img-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * The origin of a configured URL as a CSP source (`https://*.example.com` wildcards kept, as CSP has
 * them); undefined for relative or odd values, which can never smuggle a directive into the header.
 */
export function cspSource(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  const m = /^(https?):\/\/(\*\.)?([A-Za-z0-9.-]+)(:\d{1,5})?(?:[/?#]|$)/i.exec(url);
  if (!m) return undefined;
  return `${m[1].toLowerCase()}://${m[2] ?? ''}${m[3].toLowerCase()}${m[4] ?? ''}`;
}

export function setSecurityHeaders(reply: FastifyReply, csp: string): void {
  reply.header('content-security-policy', csp);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  // same-origin keeps Origin on our own form posts (no-referrer would turn it into "null").
  reply.header('referrer-policy', 'same-origin');
}

/** Pages hold personal data or CSRF tokens: never stored, so Back after logout cannot show them. */
export function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').header('content-type', 'text/html; charset=utf-8').send(html);
}

export function redirect(reply: FastifyReply, location: string, status = 303): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').header('location', location).send();
}

/** Hands the API's cookies to the browser, as an external UI forwarding them would. */
export function forwardCookies(reply: FastifyReply, setCookie: string[]): void {
  if (setCookie.length === 0) return;
  const prev = reply.getHeader('set-cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  reply.header('set-cookie', [...list, ...setCookie]);
}
