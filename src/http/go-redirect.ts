import type { FastifyReply, FastifyRequest } from 'fastify';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
const TEXT = { 301: 'Moved Permanently', 302: 'Found', 303: 'See Other' } as const;

/**
 * Go's http.Redirect, as Kratos's clients and UI see it: Location; for GET and HEAD the HTML content type;
 * for GET the tiny `<a href>` body naming the status.
 */
export function goRedirect(req: FastifyRequest, reply: FastifyReply, status: 301 | 302 | 303, location: string): FastifyReply {
  reply.code(status).header('location', location);
  if (req.method === 'GET' || req.method === 'HEAD') reply.header('content-type', 'text/html; charset=utf-8');
  if (req.method !== 'GET') return reply.send();
  const escaped = location.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
  return reply.send(`<a href="${escaped}">${TEXT[status]}</a>.\n\n`);
}
