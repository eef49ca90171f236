/**
 * libjsonnet's node binding (2.x) has no import callback, so imports are refused before a template
 * ever reaches it: this scanner walks the Jsonnet token stream (strings, verbatim strings, text
 * blocks, comments) and reports the first `import`, `importstr` or `importbin` keyword. A template
 * the scanner cannot follow (an unterminated string or comment) is refused too.
 */
const KEYWORDS = new Set(['import', 'importstr', 'importbin']);

const isIdStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isId = (c: string) => isIdStart(c) || (c >= '0' && c <= '9');

/** Returns why the template is refused, or null when it uses no import. Linear in the input. */
export function importViolation(src: string): string | null {
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '/') {
      i = lineEnd(src, i);
    } else if (c === '#') {
      i = lineEnd(src, i);
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) return 'unterminated comment';
      i = end + 2;
    } else if (c === '"' || c === "'") {
      const end = quotedEnd(src, i + 1, c);
      if (end < 0) return 'unterminated string';
      i = end;
    } else if (c === '@' && (src[i + 1] === '"' || src[i + 1] === "'")) {
      const end = verbatimEnd(src, i + 2, src[i + 1]);
      if (end < 0) return 'unterminated string';
      i = end;
    } else if (src.startsWith('|||', i)) {
      const end = textBlockEnd(src, i + 3);
      if (end < 0) return 'unterminated text block';
      i = end;
    } else if (isIdStart(c)) {
      let j = i + 1;
      while (j < n && isId(src[j])) j++;
      const word = src.slice(i, j);
      if (KEYWORDS.has(word)) return `"${word}" is not allowed in web_hook body templates`;
      i = j;
    } else {
      i++;
    }
  }
  return null;
}

function lineEnd(src: string, i: number): number {
  const end = src.indexOf('\n', i);
  return end < 0 ? src.length : end + 1;
}

function quotedEnd(src: string, i: number, quote: string): number {
  while (i < src.length) {
    if (src[i] === '\\') i += 2;
    else if (src[i] === quote) return i + 1;
    else i++;
  }
  return -1;
}

function verbatimEnd(src: string, i: number, quote: string): number {
  while (i < src.length) {
    if (src[i] === quote && src[i + 1] === quote) i += 2;
    else if (src[i] === quote) return i + 1;
    else i++;
  }
  return -1;
}

/**
 * A text block: `|||` (optionally `|||-`), the rest of that line, then lines indented at least as the
 * first one (or empty), closed by a line of less indentation that starts with `|||`.
 */
function textBlockEnd(src: string, i: number): number {
  let p = lineEnd(src, i);
  let indent: string | null = null;
  while (p < src.length) {
    const eol = lineEnd(src, p);
    const line = src.slice(p, eol).replace(/\r?\n$/, '');
    let ws = 0;
    while (ws < line.length && (line[ws] === ' ' || line[ws] === '\t')) ws++;
    if (indent === null) {
      if (line.trim() === '') {
        p = eol;
        continue;
      }
      if (ws === 0) return -1;
      indent = line.slice(0, ws);
    } else if (line.trim() !== '' && !line.startsWith(indent)) {
      return line.slice(ws).startsWith('|||') ? p + ws + 3 : -1;
    }
    p = eol;
  }
  return -1;
}
