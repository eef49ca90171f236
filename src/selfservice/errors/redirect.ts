import type { FastifyReply, FastifyRequest } from 'fastify';

export { copyWithQuery, goEncodeValues, goParseQuery, goQueryEscape } from '../../x/gourl.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/**
 * Go's http.Redirect with 303: Location, and for GET/HEAD the HTML content type, for GET the tiny
 * `<a href>` body. Kratos's clients and UI see exactly this.
 */
export function seeOther(req: FastifyRequest, reply: FastifyReply, location: string): FastifyReply {
  reply.code(303).header('location', location);
  if (req.method === 'GET' || req.method === 'HEAD') reply.header('content-type', 'text/html; charset=utf-8');
  if (req.method !== 'GET') return reply.send();
  const escaped = location.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
  return reply.send(`<a href="${escaped}">See Other</a>.\n\n`);
}
