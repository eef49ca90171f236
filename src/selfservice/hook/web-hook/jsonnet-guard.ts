/**
 * Finds an `import`, `importstr` or `importbin` in Jsonnet source, outside strings and comments. The
 * binding Porta uses has no import callback, so imports are refused before any evaluation, as Kratos's
 * jsonnetsecure refuses them: a template reads nothing but `ctx`. A linear scan, no regular expressions.
 */
export function findImport(src: string): number {
  let i = 0;
  const n = src.length;
  const isWord = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_';
  while (i < n) {
    const c = src[i];
    if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < n && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '|' && src.startsWith('|||', i)) {
      // A text block ends at a line holding only whitespace and `|||`.
      const end = src.indexOf('|||', i + 3);
      i = end < 0 ? n : end + 3;
    } else if (c === '"' || c === "'") {
      i = skipQuoted(src, i + 1, c, true);
    } else if (c === '@' && (src[i + 1] === '"' || src[i + 1] === "'")) {
      i = skipQuoted(src, i + 2, src[i + 1], false);
    } else if (isWord(c)) {
      const start = i;
      while (i < n && isWord(src[i])) i++;
      const word = src.slice(start, i);
      if (word === 'import' || word === 'importstr' || word === 'importbin') return start;
    } else i++;
  }
  return -1;
}

function skipQuoted(src: string, i: number, quote: string, escapes: boolean): number {
  while (i < src.length) {
    const c = src[i];
    if (escapes && c === '\\') i += 2;
    else if (c === quote) {
      // In a verbatim string a doubled quote is one quote character.
      if (!escapes && src[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return i;
}
