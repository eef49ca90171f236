import type { FastifyReply, FastifyRequest } from 'fastify';

import { goRedirect } from '../../http/go-redirect.js';

export { copyWithQuery, goEncodeValues, goParseQuery, goQueryEscape } from '../../x/go/url.js';

/** Go's http.Redirect with 303 (the error UI and logout redirects). */
export function seeOther(req: FastifyRequest, reply: FastifyReply, location: string): FastifyReply {
  return goRedirect(req, reply, 303, location);
}
