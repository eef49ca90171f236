import type { FastifyReply, FastifyRequest } from 'fastify';

// Kratos builds redirect and logout URLs with Go's net/url; clients and tests compare those strings, so
// the encoding below is Go's, not URLSearchParams' (which keeps `*` and encodes differently).

/** Go's url.QueryEscape: only [A-Za-z0-9-_.~] stay, space becomes `+`. */
export function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go's url.Values.Encode: keys sorted, every value of a key in order. */
export function goEncodeValues(values: Map<string, string[]>): string {
  return [...values.keys()]
    .sort()
    .flatMap((k) => (values.get(k) ?? []).map((v) => `${goQueryEscape(k)}=${goQueryEscape(v)}`))
    .join('&');
}

/** Go's url.ParseQuery, keeping the pairs it accepts (it drops pairs with `;` or bad escapes). */
export function goParseQuery(search: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (part === '' || part.includes(';')) continue;
    const eq = part.indexOf('=');
    try {
      const k = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
      const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
      out.set(k, [...(out.get(k) ?? []), v]);
    } catch {
      // Go skips a pair it cannot unescape.
    }
  }
  return out;
}

/** Kratos's urlx.CopyWithQuery: the URL with `set` written over its query, re-encoded the Go way. */
export function copyWithQuery(url: URL, set: Record<string, string>): string {
  const q = goParseQuery(url.search);
  for (const [k, v] of Object.entries(set)) q.set(k, [v]);
  return `${url.protocol}//${url.host}${url.pathname}?${goEncodeValues(q)}${url.hash}`;
}

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
