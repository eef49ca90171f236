import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { uiText, type UiText } from '../x/text.js';
import { useLinearFormats } from './formats.js';
import { regExpEngine } from './regexp.js';

// ajv-formats is CommonJS with a default export; under NodeNext the callable is on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

export const EXTENSION = 'ory.sh/kratos';
// ajv keyword names cannot contain '.' or '/', so the extension is renamed in the compiled copy only.
const KEYWORD = 'x_ory_sh_kratos';

/** The `ory.sh/kratos` keyword value on a schema node. */
export interface KratosExtension {
  credentials?: { password?: { identifier?: boolean } };
  verification?: { via?: string };
  recovery?: { via?: string };
}

export interface TraitViolation {
  pointer: string;
  message: UiText;
  adminText: string;
}

export interface ValidationResult {
  violations: TraitViolation[];
  /** Reason text of the whole failure as Kratos's admin API renders it (empty when valid). */
  adminReason: string;
  /** Every (extension, value) pair the validator visited, for identifier/address extraction. */
  extensions: Array<{ ext: KratosExtension; value: unknown }>;
}

// ajv keywords run synchronously inside validate(), so one collector per call is safe.
let collector: Array<{ ext: KratosExtension; value: unknown }> | null = null;

/** Kratos's validator reads drafts 4 to 2020-12; ajv needs its matching class (draft-04/06 are read as draft-07). */
export function newAjv(draft: string): Ajv {
  const opts = { strict: false, allErrors: true, verbose: true, logger: false as const, code: { regExp: regExpEngine } };
  const ajv = draft.includes('2020-12') ? new Ajv2020(opts) : draft.includes('2019-09') ? new Ajv2019(opts) : new Ajv(opts);
  addFormats(ajv);
  useLinearFormats(ajv);
  // Kratos accepts `format: tel` in identity schemas; a loose E.164-ish check keeps such schemas compiling.
  ajv.addFormat('tel', /^\+?[0-9][0-9 ()./-]{3,}$/);
  ajv.addKeyword({
    keyword: KEYWORD,
    schemaType: 'object',
    errors: false,
    validate: (ext: KratosExtension, value: unknown) => {
      collector?.push({ ext, value });
      return true;
    },
  });
  return ajv;
}

/** Compiles one identity schema (one ajv instance each: schemas may share an `$id`). Throws on an invalid schema. */
export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  const draft = typeof schema.$schema === 'string' ? schema.$schema : '';
  const copy = renameExtension(schema) as Record<string, unknown>;
  if (/draft-0[46]\b/.test(draft)) delete copy.$schema;
  return newAjv(draft).compile(copy);
}

function renameExtension(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(renameExtension);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k === EXTENSION ? KEYWORD : k] = k === EXTENSION ? v : renameExtension(v);
  return out;
}

/** Traits are stored and re-serialised many times; a bound keeps every later recursion safe (self-service too). */
const MAX_TRAITS_DEPTH = 64;

function tooDeep(value: unknown): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (!v || typeof v !== 'object') continue;
    if (depth > MAX_TRAITS_DEPTH) return true;
    for (const child of Object.values(v as object)) stack.push([child, depth + 1]);
  }
  return false;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number';
  return typeof v;
}

function runeLength(v: unknown): number {
  return typeof v === 'string' ? [...v].length : 0;
}

const goNum = (n: unknown): string => String(n);
const quote = (s: unknown): string => JSON.stringify(String(s));

interface Mapped {
  message: string;
  ui: UiText;
  /** Pointer of the UI node (required errors point at the missing property). */
  uiPointer: string;
}

function mapError(e: ErrorObject): Mapped {
  const ip = `#${e.instancePath}`;
  const p = e.params as Record<string, unknown>;
  const data = e.data;
  const generic = (message: string): Mapped => ({ message, ui: uiText(4000001, message, 'error', { reason: message }), uiPointer: ip });
  switch (e.keyword) {
    case 'required': {
      const name = String(p.missingProperty);
      return { message: `missing properties: ${quote(name)}`, ui: uiText(4000002, `Property ${name} is missing.`, 'error', { property: name }), uiPointer: `${ip}/${name}` };
    }
    case 'type': {
      const allowed = (Array.isArray(p.type) ? p.type : String(p.type).split(',')).map(String);
      const actual = jsonType(data);
      const text = `expected ${allowed.join(' or ')}, but got ${actual}`;
      return { message: text, ui: uiText(4000026, text, 'error', { actual_type: actual, allowed_types: allowed }), uiPointer: ip };
    }
    case 'minLength': {
      const text = `length must be >= ${p.limit}, but got ${runeLength(data)}`;
      return { message: text, ui: uiText(4000003, text, 'error', { actual_length: runeLength(data), min_length: p.limit }), uiPointer: ip };
    }
    case 'maxLength': {
      const text = `length must be <= ${p.limit}, but got ${runeLength(data)}`;
      return { message: text, ui: uiText(4000017, text, 'error', { actual_length: runeLength(data), max_length: p.limit }), uiPointer: ip };
    }
    case 'pattern': {
      const text = `does not match pattern ${quote(p.pattern)}`;
      return { message: text, ui: uiText(4000004, text, 'error', { pattern: p.pattern }), uiPointer: ip };
    }
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum': {
      const [op, id, key] = {
        minimum: ['>=', 4000018, 'minimum'],
        exclusiveMinimum: ['>', 4000019, 'minimum'],
        maximum: ['<=', 4000020, 'maximum'],
        exclusiveMaximum: ['<', 4000021, 'maximum'],
      }[e.keyword] as [string, number, string];
      const text = `must be ${op} ${goNum(p.limit)} but found ${goNum(data)}`;
      return { message: text, ui: uiText(id, text, 'error', { actual: data, [key]: p.limit }), uiPointer: ip };
    }
    case 'multipleOf': {
      const text = `${goNum(data)} not multipleOf ${goNum(p.multipleOf)}`;
      return { message: text, ui: uiText(4000022, text, 'error', { actual: data, base: p.multipleOf }), uiPointer: ip };
    }
    case 'maxItems':
    case 'minItems': {
      const n = Array.isArray(data) ? data.length : 0;
      const max = e.keyword === 'maxItems';
      const text = `${max ? 'maximum' : 'minimum'} ${p.limit} items allowed, but found ${n} items`;
      return { message: text, ui: uiText(max ? 4000023 : 4000024, text, 'error', { actual_items: n, [max ? 'max_items' : 'min_items']: p.limit }), uiPointer: ip };
    }
    case 'uniqueItems': {
      const [a, b] = [Number(p.i), Number(p.j)].sort((x, y) => x - y);
      const text = `items at index ${a} and ${b} are equal`;
      return { message: text, ui: uiText(4000025, text, 'error', { index_a: a, index_b: b }), uiPointer: ip };
    }
    case 'const': {
      const expected = JSON.stringify(p.allowedValue);
      return { message: `value must be ${expected}`, ui: uiText(4000029, `must be equal to constant ${expected}`, 'error', { expected }), uiPointer: ip };
    }
    case 'enum': {
      const values = Array.isArray(p.allowedValues) ? p.allowedValues : [];
      return generic(`value must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
    }
    case 'format': {
      const text = `${quote(data)} is not valid ${quote(p.format)}`;
      if (p.format === 'email') return { message: text, ui: uiText(4000040, 'Enter a valid email address', 'error', { value: String(data) }), uiPointer: ip };
      return generic(text);
    }
    case 'additionalProperties':
      return generic(`additionalProperties ${quote(p.additionalProperty)} not allowed`);
    default:
      return generic(e.message ?? 'validation failed');
  }
}

/** Runs the compiled schema on `{traits}` and renders failures both ways Kratos does (UI messages, admin reason). */
export function runValidation(validate: ValidateFunction, traits: unknown): ValidationResult {
  if (tooDeep(traits)) {
    const text = `The traits document is nested deeper than ${MAX_TRAITS_DEPTH} levels.`;
    return { violations: [{ pointer: '#/traits', message: uiText(4000001, text, 'error', { reason: text }), adminText: `I[#/traits] S[#] ${text}` }], adminReason: `I[#/traits] S[#] ${text}`, extensions: [] };
  }
  const extensions: ValidationResult['extensions'] = [];
  collector = extensions;
  let ok: boolean;
  try {
    ok = validate({ traits }) as boolean;
  } finally {
    collector = null;
  }
  if (ok) return { violations: [], adminReason: '', extensions };

  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  const violations: TraitViolation[] = [];
  const lines: string[] = [];
  // Kratos reports one "missing properties" / "additionalProperties" line per object, listing every name.
  const grouped = new Map<string, { head: string; names: string[]; tail: string }>();
  for (const e of errors) {
    const m = mapError(e);
    const prefix = `I[#${e.instancePath}] S[${e.schemaPath}] `;
    violations.push({ pointer: m.uiPointer, message: m.ui, adminText: prefix + m.message });
    const p = e.params as Record<string, unknown>;
    if (e.keyword === 'required' || e.keyword === 'additionalProperties') {
      const key = prefix + e.keyword;
      const name = quote(e.keyword === 'required' ? p.missingProperty : p.additionalProperty);
      const g = grouped.get(key);
      if (g) g.names.push(name);
      else {
        grouped.set(key, { head: prefix + (e.keyword === 'required' ? 'missing properties: ' : 'additionalProperties '), names: [name], tail: e.keyword === 'required' ? '' : ' not allowed' });
        lines.push(`\u0000${key}`);
      }
    } else {
      lines.push(prefix + m.message);
    }
  }
  const rendered = lines.map((l) => {
    if (!l.startsWith('\u0000')) return l;
    const g = grouped.get(l.slice(1))!;
    return g.head + g.names.join(', ') + g.tail;
  });
  const adminReason = rendered.length === 1 ? rendered[0] : ['I[#] S[#] validation failed', ...rendered].join('\n  ');
  return { violations, adminReason, extensions };
}
