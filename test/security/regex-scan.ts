import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** One regular expression found in source text: a literal, or the argument text of a `RegExp(...)` call. */
export interface FoundRegex {
  file: string;
  line: number;
  kind: 'literal' | 'constructor';
  /** Literal: the pattern; constructor: the call's source text. */
  source: string;
  flags: string;
}

export function listFiles(dir: string, ext: string[]): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return listFiles(p, ext);
    return ext.some((e) => p.endsWith(e)) && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/**
 * Every regex literal and every `RegExp(...)` / `new RegExp(...)` call in a TypeScript or JavaScript
 * file, found with the TypeScript parser (not a regex over source text, which strings and comments
 * would fool).
 */
export function findRegexes(file: string, root: string): FoundRegex[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const out: FoundRegex[] = [];
  const rel = relative(root, file);
  const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const visit = (node: ts.Node) => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const lit = (node as ts.RegularExpressionLiteral).text;
      const end = lit.lastIndexOf('/');
      out.push({ file: rel, line: lineOf(node), kind: 'literal', source: lit.slice(1, end), flags: lit.slice(end + 1) });
    } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
      out.push({ file: rel, line: lineOf(node), kind: 'constructor', source: node.getText(sf), flags: '' });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}
