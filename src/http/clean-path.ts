import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { goRedirect } from './go-redirect.js';

/**
 * Go's ServeMux path cleaning, which Kratos's routers get for free: a request whose path has empty, `.`
 * or `..` segments is answered 301 to the cleaned path, query kept. Clients built from a base URL with a
 * trailing slash (Kratos's quickstart sets `KRATOS_PUBLIC_URL=http://kratos:4433/`, and the reference UI
 * then fetches `//self-service/login/flows?id=...`) depend on it.
 */
export function cleanPath(p: string): string {
  if (p === '') return '/';
  const rooted = p[0] === '/' ? p : `/${p}`;
  const out: string[] = [];
  for (const seg of rooted.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const np = `/${out.join('/')}`;
  // Like Go, a trailing slash survives cleaning (it is a different route).
  return rooted.endsWith('/') && np !== '/' ? `${np}/` : np;
}

/**
 * Percent-encodes what Go's URL.EscapedPath would, keeping existing escapes. Above all a backslash: browsers
 * read `Location: /\evil.example/` as `//evil.example/`, so `//\evil.example/` must not become an open redirect.
 */
function escapePath(p: string): string {
  return p.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/g, (c) => encodeURIComponent(c));
}

/** onRequest hook: 301 to the cleaned path (before routing and every route's own checks, as in Go). */
export function cleanPathHook(req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  // The target as the client sent it (the admin server rewrites req.url to add /admin). An absolute-form
  // target (`GET http://host//x`) is cleaned from the path after its authority, as Go does.
  const target = req.originalUrl;
  const scheme = target.indexOf('://');
  const start = target[0] === '/' ? 0 : scheme < 0 ? -1 : target.indexOf('/', scheme + 3);
  if (req.method === 'CONNECT' || start < 0) return done();
  const q = target.indexOf('?', start);
  const path = q < 0 ? target.slice(start) : target.slice(start, q);
  // Cheap test first: this runs on every request, and a clean path has neither `//` nor `/.`.
  if (!path.includes('//') && !path.includes('/.')) return done();
  const cleaned = cleanPath(path);
  if (cleaned === path) return done();
  const query = q < 0 ? '' : target.slice(q + 1);
  const location = escapePath(cleaned);
  goRedirect(req, reply, 301, query === '' ? location : `${location}?${query}`);
}
