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

/**
 * A pagination link: the request's path and query with `set` written over it, encoded as Go's
 * url.Values.Encode writes it (keys sorted). Kratos's Link headers are built this way.
 */
export function requestLinkWith(requestUrl: string, set: Record<string, string>): string {
  const i = requestUrl.indexOf('?');
  const q = goParseQuery(i < 0 ? '' : requestUrl.slice(i + 1));
  for (const [k, v] of Object.entries(set)) q.set(k, [v]);
  return `${i < 0 ? requestUrl : requestUrl.slice(0, i)}?${goEncodeValues(q)}`;
}
