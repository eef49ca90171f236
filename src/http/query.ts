import { errBadQuery } from './catalogue/index.js';

/**
 * Strict query string reading. URLSearchParams silently keeps broken percent-escapes and replaces
 * invalid UTF-8; Porta answers those with a 400 instead of acting on a value the client did not send.
 */
export class Query {
  private readonly map = new Map<string, string[]>();

  constructor(rawUrl: string) {
    const q = rawUrl.indexOf('?');
    if (q < 0) return;
    const hash = rawUrl.indexOf('#', q);
    const search = rawUrl.slice(q + 1, hash < 0 ? undefined : hash);
    for (const part of search.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const key = decode(eq < 0 ? part : part.slice(0, eq));
      const value = eq < 0 ? '' : decode(part.slice(eq + 1));
      const list = this.map.get(key);
      if (list) list.push(value);
      else this.map.set(key, [value]);
    }
  }

  /** First value, as Go's url.Values.Get does; undefined when absent. */
  get(key: string): string | undefined {
    return this.map.get(key)?.[0];
  }
  getAll(key: string): string[] {
    return this.map.get(key) ?? [];
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
}

function decode(s: string): string {
  // Tokens, ids and most values need no decoding at all.
  if (!s.includes('%') && !s.includes('+')) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw errBadQuery();
  }
}

/** Parses the query of a request once and caches it on the request object. */
export function queryOf(req: { url: string; portaQuery?: Query }): Query {
  if (!req.portaQuery) req.portaQuery = new Query(req.url);
  return req.portaQuery;
}

declare module 'fastify' {
  interface FastifyRequest {
    portaQuery?: Query;
  }
}
