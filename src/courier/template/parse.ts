/**
 * A parser for the subset of Go's text/template that Kratos's courier templates use: text, field
 * substitution (`{{ .To }}`, `{{ .Identity.traits.email }}`, `{{ . }}`), `{{ if .F }}`, `{{ else if .F }}`,
 * `{{ else }}`, `{{ end }}`, comments and the `{{-` / `-}}` trim markers. Everything else (pipelines,
 * functions such as Sprig's, variables, literals, range, with, define, template, block) is refused with
 * TemplateSyntaxError naming the construct, so an operator learns at start-up, not when a mail is due.
 *
 * It is a single left-to-right scan over the input (no regular expressions on it), bounded by its length.
 */

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'field'; path: string[] }
  | { kind: 'if'; branches: Array<{ cond: string[]; body: Node[] }>; otherwise: Node[] };

export class TemplateSyntaxError extends Error {
  constructor(
    readonly construct: string,
    readonly line: number,
    detail?: string,
  ) {
    super(detail ?? `unsupported construct ${JSON.stringify(construct)} at line ${line}`);
  }
}

/** Go's unicode.IsSpace for the ASCII range, which is what the trim markers remove. */
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isIdentChar = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_';
const MAX_TEMPLATE_CHARS = 256 * 1024;

interface Action {
  words: string[];
  line: number;
}

type Piece = { text: string } | Action;

/** Splits the input into text and actions, applying trim markers. */
function scan(src: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let line = 1;
  let trimNext = false;
  const countLines = (s: string) => {
    for (const c of s) if (c === '\n') line++;
  };
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = trimStart(text);
    if (open < 0) {
      pieces.push({ text });
      break;
    }
    let j = open + 2;
    // `{{- ` trims the text before; the dash must be followed by a space to be a marker (Go's rule).
    if (src[j] === '-' && isSpace(src[j + 1] ?? '')) {
      text = trimEnd(text);
      j += 1;
    }
    pieces.push({ text });
    countLines(src.slice(i, j));
    const startLine = line;
    const { words, end, trimAfter } = lexAction(src, j, startLine);
    countLines(src.slice(j, end));
    pieces.push({ words, line: startLine });
    trimNext = trimAfter;
    i = end;
  }
  return pieces;
}

function trimStart(s: string): string {
  let k = 0;
  while (k < s.length && isSpace(s[k])) k++;
  return s.slice(k);
}
function trimEnd(s: string): string {
  let k = s.length;
  while (k > 0 && isSpace(s[k - 1])) k--;
  return s.slice(0, k);
}

/** Tokenises one action from `j` to its closing `}}`; quoted literals are kept whole so a `}}` in them does not end it. */
function lexAction(src: string, start: number, line: number): { words: string[]; end: number; trimAfter: boolean } {
  const words: string[] = [];
  let j = start;
  for (;;) {
    while (j < src.length && isSpace(src[j])) j++;
    if (j >= src.length) throw new TemplateSyntaxError('{{', line, `unclosed action starting at line ${line}`);
    if (src[j] === '-' && src.startsWith('}}', j + 1) && isSpace(src[j - 1] ?? '')) return { words, end: j + 3, trimAfter: true };
    if (src.startsWith('}}', j)) return { words, end: j + 2, trimAfter: false };
    if (src.startsWith('/*', j)) {
      const close = src.indexOf('*/', j + 2);
      if (close < 0) throw new TemplateSyntaxError('/*', line, `unclosed comment at line ${line}`);
      words.push('/*comment*/');
      j = close + 2;
      continue;
    }
    const c = src[j];
    if (c === '"' || c === '`' || c === "'") {
      let k = j + 1;
      while (k < src.length && src[k] !== c) k += src[k] === '\\' && c !== '`' ? 2 : 1;
      if (k >= src.length) throw new TemplateSyntaxError(c, line, `unterminated quoted literal at line ${line}`);
      words.push(src.slice(j, k + 1));
      j = k + 1;
      continue;
    }
    if (c === '.' || c === '$' || isIdentChar(c)) {
      let k = j + 1;
      while (k < src.length && (isIdentChar(src[k]) || src[k] === '.')) k++;
      words.push(src.slice(j, k));
      j = k;
      continue;
    }
    // Any other character is an operator of a construct Porta does not support: `|`, `(`, `:=`, `,`...
    const two = src.slice(j, j + 2);
    words.push(two === ':=' ? two : c);
    j += two === ':=' ? 2 : 1;
  }
}

/** `.A.b.c` → ['A','b','c']; `.` → []; anything else is not a field. */
function fieldPath(word: string): string[] | null {
  if (!word.startsWith('.')) return null;
  if (word === '.') return [];
  const parts = word.slice(1).split('.');
  return parts.every((p) => p.length > 0 && [...p].every(isIdentChar)) ? parts : null;
}

function describe(words: string[]): string {
  if (words.length === 0) return '{{ }}';
  const w = words[0];
  if (words.includes('|')) return '|';
  if (w.startsWith('$')) return 'variable';
  if (w.startsWith('"') || w.startsWith('`') || w.startsWith("'") || (w[0] >= '0' && w[0] <= '9')) return 'literal';
  if (fieldPath(w) && words.length > 1) return words[1].startsWith('.') || isIdentChar(words[1][0]) ? 'method call with arguments' : words[1];
  return w;
}

/** Parses a template; throws TemplateSyntaxError on anything outside the subset. */
export function parseTemplate(src: string): Node[] {
  if (src.length > MAX_TEMPLATE_CHARS) throw new TemplateSyntaxError('size', 1, `template larger than ${MAX_TEMPLATE_CHARS} characters`);
  const pieces = scan(src);
  let pos = 0;
  const condOf = (a: Action, keyword: string): string[] => {
    const rest = a.words.slice(keyword === 'else if' ? 2 : 1);
    const path = rest.length === 1 ? fieldPath(rest[0]) : null;
    if (!path) throw new TemplateSyntaxError(rest.length ? describe(rest) : keyword, a.line, `unsupported condition in {{ ${keyword} }} at line ${a.line}: only a field such as .To is supported`);
    return path;
  };
  // Parses until an `else`/`end` (returned) or the end of input (null).
  const block = (out: Node[]): Action | null => {
    while (pos < pieces.length) {
      const p = pieces[pos++];
      if ('text' in p) {
        if (p.text) out.push({ kind: 'text', text: p.text });
        continue;
      }
      const w = p.words;
      if (w.length === 1 && w[0] === '/*comment*/') continue;
      if (w[0] === 'end' || w[0] === 'else') {
        if (w[0] === 'end' && w.length > 1) throw new TemplateSyntaxError(describe(w.slice(1)), p.line);
        return p;
      }
      if (w[0] === 'if') {
        const node: Node = { kind: 'if', branches: [{ cond: condOf(p, 'if'), body: [] }], otherwise: [] };
        let stop = block(node.branches[0].body);
        for (;;) {
          if (!stop) throw new TemplateSyntaxError('if', p.line, `{{ if }} at line ${p.line} has no {{ end }}`);
          if (stop.words[0] === 'end') break;
          if (stop.words.length === 1) {
            const tail = block(node.otherwise);
            if (!tail || tail.words[0] !== 'end') throw new TemplateSyntaxError('else', stop.line, `{{ else }} at line ${stop.line} must be followed by {{ end }}`);
            break;
          }
          if (stop.words[1] !== 'if') throw new TemplateSyntaxError(`else ${stop.words[1]}`, stop.line);
          const branch = { cond: condOf(stop, 'else if'), body: [] as Node[] };
          node.branches.push(branch);
          stop = block(branch.body);
        }
        out.push(node);
        continue;
      }
      const path = w.length === 1 ? fieldPath(w[0]) : null;
      if (!path) throw new TemplateSyntaxError(describe(w), p.line);
      out.push({ kind: 'field', path });
    }
    return null;
  };
  const nodes: Node[] = [];
  const stray = block(nodes);
  if (stray) throw new TemplateSyntaxError(stray.words[0], stray.line, `unexpected {{ ${stray.words[0]} }} at line ${stray.line}`);
  return nodes;
}
