const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;

/**
 * The raw value of the first cookie called `name` in a Cookie header, read exactly as the `cookie`
 * package's `parse` reads it (pairs split on `;`, name and value trimmed of spaces and tabs, a pair
 * without `=` skipped, the first pair of a name wins, no decoding), but without building an object of
 * every cookie: whoami and the logouts want one or two cookies by name on every request, and a header
 * carrying a dozen others would otherwise cost a dozen slices each time. `name` is a cookie name of
 * ours (no `;`, `=` or surrounding blanks). The tests hold it to `cookie.parse` over generated headers.
 */
export function cookieValue(header: string, name: string): string | undefined {
  const len = header.length;
  for (let at = header.indexOf(name); at >= 0; at = header.indexOf(name, at + 1)) {
    // The occurrence must be a whole cookie name: only blanks back to the pair's start...
    let before = at - 1;
    while (before >= 0 && isBlank(header.charCodeAt(before))) before--;
    if (before >= 0 && header.charCodeAt(before) !== SEMICOLON) continue;
    // ...and only blanks up to its `=`.
    let eq = at + name.length;
    while (eq < len && isBlank(header.charCodeAt(eq))) eq++;
    if (eq >= len || header.charCodeAt(eq) !== EQUALS) continue;
    let start = eq + 1;
    let end = header.indexOf(';', start);
    if (end < 0) end = len;
    while (start < end && isBlank(header.charCodeAt(start))) start++;
    while (end > start && isBlank(header.charCodeAt(end - 1))) end--;
    return header.slice(start, end);
  }
  return undefined;
}
