// A plain test (no replace) first: almost every response holds none of these, and then costs one scan.
const GO_ESCAPED = /[<>&\u2028\u2029]/;
const GO_ESCAPED_ALL = /[<>&\u2028\u2029]/g;
const goEscapeChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Go's HTML-safe escaping of already-serialised JSON (`<`, `>`, `&`, U+2028, U+2029 as `\u00XX`). */
export function goEscape(json: string): string {
  return GO_ESCAPED.test(json) ? json.replace(GO_ESCAPED_ALL, goEscapeChar) : json;
}
