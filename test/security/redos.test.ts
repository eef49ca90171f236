import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSync } from 'recheck';
import ajvFormats from 'ajv-formats/dist/formats.js';
import { newAjv } from '../../src/identity/validation.js';
import { findRegexes, listFiles, type FoundRegex } from './regex-scan.js';

// recheck's default (auto) backend runs the native binary of its platform package (recheck-linux-x64,
// an npm optional dependency) and falls back to its pure-JS build; neither downloads anything.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { fullFormats, fastFormats } = ajvFormats as unknown as { fullFormats: Record<string, unknown>; fastFormats: Record<string, unknown> };

/**
 * Every `RegExp(...)` call must be listed here: its pattern is built at run time, so the scan cannot
 * see it. `pattern` is what the call builds, checked like a literal.
 */
const CONSTRUCTED: Array<{ file: string; call: string; pattern?: string; why: string }> = [
  {
    file: 'src/http/negotiate.ts',
    call: 'new RegExp(`^(${TOKEN})/(${TOKEN})$`)',
    pattern: "^([!#$%&'*+.^_`|~0-9A-Za-z-]+)/([!#$%&'*+.^_`|~0-9A-Za-z-]+)$",
    why: 'built from the RFC 9110 token constant, never from input',
  },
  {
    file: 'node_modules/ajv-formats/dist/formats.js',
    call: 'new RegExp(str)',
    why: 'format "regex" compiles the value to see whether it is a regex; the result is never run',
  },
];

/** Vulnerable literals that never see request input, with the reason. */
const NOT_ON_INPUT: Array<{ file: string; source: string; why: string }> = [
  { file: 'src/x/logger.ts', source: '(\\/\\/[^:/@]+:)[^@]*@', why: 'redacts the DSN of the config file when it is logged' },
];

/**
 * Regexes inside ajv-formats that Porta does not run on V8's engine: `fullFormats` entries that
 * Porta's ajv replaces (checked below), or internal regexes of a format function Porta replaces.
 */
const REPLACED_INTERNALS: Array<{ prefix: string; format: string }> = [{ prefix: '^(?:[a-z][a-z0-9+\\-.]*:)(?:\\/?\\/', format: 'uri' }];

/** Formats kept on V8's engine that recheck cannot decide, with the reason they are safe (none today). */
const PROVEN_BY_HAND: Record<string, string> = {};

function check(r: { source: string; flags: string }): string | undefined {
  const res = checkSync(r.source, r.flags);
  if (res.status === 'safe') return undefined;
  if (res.status === 'vulnerable') return `vulnerable (${res.complexity.summary}), attack ${res.attack.pattern.slice(0, 120)}`;
  return `recheck could not decide (${res.error.kind})`;
}

const where = (r: FoundRegex) => `${r.file}:${r.line} /${r.source.slice(0, 100)}/${r.flags}`;

test('every regex in src/ is safe from catastrophic backtracking (recheck)', () => {
  const found = listFiles(join(ROOT, 'src'), ['.ts']).flatMap((f) => findRegexes(f, ROOT));
  assert.ok(found.filter((r) => r.kind === 'literal').length > 50, 'the scan finds the literals');
  const problems: string[] = [];
  const usedExceptions = new Set<string>();
  for (const r of found) {
    if (r.kind === 'constructor') {
      const entry = CONSTRUCTED.find((c) => c.file === r.file && c.call === r.source);
      if (!entry) {
        problems.push(`${where(r)}: a RegExp built at run time; make it a literal or justify it in CONSTRUCTED`);
        continue;
      }
      usedExceptions.add(entry.call);
      const bad = entry.pattern === undefined ? undefined : check({ source: entry.pattern, flags: '' });
      if (bad) problems.push(`${where(r)}: ${bad}`);
      continue;
    }
    const bad = check(r);
    if (!bad) continue;
    const exempt = NOT_ON_INPUT.find((e) => e.file === r.file && e.source === r.source);
    if (exempt) usedExceptions.add(exempt.source);
    else problems.push(`${where(r)}: ${bad}`);
  }
  assert.deepEqual(problems, []);
  for (const e of NOT_ON_INPUT) assert.ok(usedExceptions.has(e.source), `stale NOT_ON_INPUT entry ${e.file} ${e.source}`);
});

test('third-party regexes that Porta applies to request input are safe or replaced', () => {
  const ajv = newAjv('http://json-schema.org/draft-07/schema#');
  const formatsFile = join(ROOT, 'node_modules/ajv-formats/dist/formats.js');
  const files = [
    formatsFile,
    join(ROOT, 'node_modules/content-type/index.js'),
    join(ROOT, 'node_modules/cookie/dist/index.js'),
    ...listFiles(join(ROOT, 'node_modules/fast-json-patch/commonjs'), ['.js']),
  ];
  const problems: string[] = [];
  for (const r of files.flatMap((f) => findRegexes(f, ROOT))) {
    if (r.kind === 'constructor') {
      if (!CONSTRUCTED.some((c) => c.file === r.file && c.call === r.source)) problems.push(`${where(r)}: RegExp built at run time`);
      continue;
    }
    // A format regex Porta's ajv no longer runs is no risk (and not worth recheck's time); everything else is.
    const asFormat = Object.entries(fullFormats).find(([, f]) => f instanceof RegExp && f.source === r.source)?.[0];
    const internal = REPLACED_INTERNALS.find((e) => r.source.startsWith(e.prefix))?.format;
    const name = asFormat ?? internal;
    if (name && ajv.formats[name] !== fullFormats[name]) continue;
    // ajv-formats' "fast" set: Porta registers the full set, so these never run.
    if (!name && Object.values(fastFormats).some((f) => f instanceof RegExp && f.source === r.source)) continue;
    const bad = check(r);
    if (!bad) continue;
    if (name && PROVEN_BY_HAND[name] && !bad.startsWith('vulnerable')) continue;
    problems.push(`${where(r)}${name ? ` (format ${name})` : ''}: ${bad}`);
  }
  assert.deepEqual(problems, []);
});

test("identity schema patterns run on a linear-time engine (RE2), not V8's backtracking one", () => {
  const validate = newAjv('http://json-schema.org/draft-07/schema#').compile({ type: 'string', pattern: '^(a+)+$' });
  const hostile = `${'a'.repeat(50_000)}!`;
  // V8 would not return from this within the test's lifetime; RE2 answers in one pass.
  assert.equal(validate(hostile), false);
  assert.equal(validate('aaa'), true);
  // Lookaround and backreferences do not exist in RE2 (nor in Go's regexp, which Kratos uses).
  assert.throws(() => newAjv('').compile({ type: 'string', pattern: '(a)\\1' }));
});
