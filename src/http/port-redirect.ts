import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Kratos's redir.RedirectToPublicRoute / RedirectToAdminRoute: 307 to the same path on the other
 * server's base URL, `/admin` prefix stripped or added, query kept.
 */
export function redirectToServer(base: URL, req: FastifyRequest, reply: FastifyReply, to: 'public' | 'admin'): FastifyReply {
  const [rawPath, query] = splitUrl(req.url);
  let path = rawPath;
  if (to === 'public' && path.startsWith('/admin/')) path = path.slice('/admin'.length);
  if (to === 'admin' && !path.startsWith('/admin/')) path = `/admin${path}`;
  const basePath = base.pathname.replace(/\/$/, '');
  const target = `${base.origin}${basePath}${path}${query ? `?${query}` : ''}`;
  return reply.code(307).header('location', target).send();
}

function splitUrl(url: string): [string, string] {
  const i = url.indexOf('?');
  return i < 0 ? [url, ''] : [url.slice(0, i), url.slice(i + 1)];
}
