import type { FastifyRequest } from 'fastify';
import { decodeUtf8 as utf8, mediaTypeOf } from '../../http/body.js';
import { INPUT_LIMITS, InputLimitError, checkInputLimits } from '../../http/limits.js';
import { isDecimalNumber } from '../../x/decimal.js';
import { isGoBool, parseBool } from './params.js';
import { parseMultipart } from './multipart.js';
import { errBodyEmpty, errBodyNotUtf8, errFormBody, errJsonNotObject, errJsonPayload, errUnknownContentType } from '../../http/catalogue/index.js';

export type LeafType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'unknown';

export interface DecodeOptions {
  /** JSON type of a dotted field path (e.g. `traits.age`), for Kratos's form-value coercion. */
  typeOf?: (path: string) => LeafType | undefined;
}

const ALLOWED = ['multipart/form-data', 'application/x-www-form-urlencoded', 'application/json'];

/**
 * decoderx as the self-service strategies use it: form-urlencoded or JSON, flat `a.b` keys (form
 * format, also accepted in JSON) expanded into objects, empty strings dropped (they count as missing),
 * form strings coerced to the schema's number and boolean types. Malformed input is a herodot 400,
 * which the flows render as a 4000001 message.
 */
export function decodeFlowBody(req: FastifyRequest, opts: DecodeOptions = {}): Record<string, unknown> {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (body.length === 0) {
    throw errBodyEmpty();
  }
  const type = mediaTypeOf(req);
  if (type === 'application/json') return expand(bounded(parseJsonObject(body), formKeyDepth), opts);
  if (type === 'application/x-www-form-urlencoded') return expand(bounded(parseForm(body), formKeyDepth), opts);
  if (type === 'multipart/form-data') return expand(bounded(collect(parseMultipart(req.headers['content-type'] as string, body)), formKeyDepth), opts);
  throw errUnknownContentType(req.method, req.headers['content-type'] ?? '', ALLOWED.join(' '));
}


/** Checks the decoded body against INPUT_LIMITS before anything walks it recursively or coerces it. */
function bounded(flat: Record<string, unknown>, depthOfKey: (key: string) => number): Record<string, unknown> {
  checkInputLimits(flat, depthOfKey);
  return flat;
}

/**
 * Depth a dotted key expands into (JSON keys are expanded like form keys: `{"traits.email": ..}`). Purely numeric segments are what other decoders (sjson in
 * Kratos) turn into array indices; Porta keeps them as object keys, and bounds them all the same so
 * that no index can ask for a huge array anywhere downstream.
 */
function formKeyDepth(key: string): number {
  let depth = 1;
  let start = 0;
  for (let i = 0; i <= key.length; i++) {
    if (i < key.length && key.charCodeAt(i) !== 0x2e) continue;
    const segment = key.slice(start, i);
    if (segment.length > 0 && isDecimalDigits(segment) && (segment.length > 6 || Number(segment) >= INPUT_LIMITS.maxFields)) {
      throw new InputLimitError(`The request body uses an array index larger than ${INPUT_LIMITS.maxFields - 1}.`);
    }
    if (i < key.length) depth++;
    start = i + 1;
  }
  return depth;
}

function isDecimalDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x30 || s.charCodeAt(i) > 0x39) return false;
  return true;
}

/** gjson's type names, which Kratos prints when the body is not an object. */
function gjsonType(text: string): string {
  const c = text.trimStart()[0] ?? '';
  if (c === '[') return 'JSON';
  if (c === '"') return 'String';
  if (c === 't') return 'True';
  if (c === 'f') return 'False';
  if (c === '-' || (c >= '0' && c <= '9')) return 'Number';
  return 'Null';
}

/** The first balanced top-level object (gjson reads `{}}` as `{}`); undefined when there is none. */
function firstObject(text: string): string | undefined {
  const start = text.indexOf('{');
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return undefined;
}

function parseJsonObject(buf: Buffer): Record<string, unknown> {
  const text = utf8(buf);
  if (!text.trimStart().startsWith('{')) {
    throw errJsonNotObject(gjsonType(text));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const obj = firstObject(text);
    try {
      parsed = obj === undefined ? undefined : JSON.parse(obj);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined) throw errJsonPayload((err as Error).message);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Go's url.ParseQuery unescaping with its error texts (`invalid URL escape "%zz"`). Escapes are checked
 * in one scan, then the native decoder does the work: a per-character loop costs seconds on a 5 MiB body.
 */
function unescape(s: string): string {
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
    if (!isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) {
      throw errFormBody(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
    }
  }
  const spaced = s.replaceAll('+', ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    // Every escape is well-formed, so the decoder refused the bytes they spell: not UTF-8.
    throw errBodyNotUtf8();
  }
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function parseForm(buf: Buffer): Record<string, unknown> {
  const pairs: Array<[string, string]> = [];
  // Escaped text is at most three times its decoded length: a longer part is over the bound before decoding.
  const maxPart = 3 * (INPUT_LIMITS.maxKeyLength + INPUT_LIMITS.maxValueLength) + 1;
  for (const part of utf8(buf).split('&')) {
    if (part === '') continue;
    if (pairs.length >= INPUT_LIMITS.maxFields) throw new InputLimitError(`The request body has more than ${INPUT_LIMITS.maxFields} fields.`);
    if (part.length > maxPart) throw new InputLimitError(`A value in the request body is longer than ${INPUT_LIMITS.maxValueLength} characters.`);
    const eq = part.indexOf('=');
    pairs.push([unescape(eq < 0 ? part : part.slice(0, eq)), eq < 0 ? '' : unescape(part.slice(eq + 1))]);
  }
  return collect(pairs);
}

/** Form pairs into an object; a repeated key becomes an array, as url.Values holds it. */
function collect(pairs: Array<[string, string]>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of pairs) {
    const prev = Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined;
    if (prev === undefined) out[key] = value;
    else out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Far deeper than any identity schema; bounds the recursion on hostile bodies. */
const MAX_DEPTH = INPUT_LIMITS.maxDepth;

function coerce(value: unknown, type: LeafType | undefined): unknown {
  if (type === 'array') return Array.isArray(value) ? value : [value];
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v !== 'string') return v;
  if ((type === 'number' || type === 'integer') && isDecimalNumber(v)) return Number(v);
  if (type === 'boolean' && isGoBool(v)) return parseBool(v);
  return v;
}

function dropEmpty(value: unknown, depth = 0): unknown {
  if (value === '') return undefined;
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.filter((v) => v !== '');
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(k)) continue;
      const d = dropEmpty(v, depth + 1);
      if (d !== undefined) out[k] = d;
    }
    return out;
  }
  return value;
}

/** Expands dotted keys into objects and coerces leaves, then drops empty strings. */
function expand(flat: Record<string, unknown>, opts: DecodeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (path: string, value: unknown) => {
    const parts = path.split('.');
    if (parts.some((p) => p === '' || FORBIDDEN_KEYS.has(p))) return;
    let cur = out;
    for (const p of parts.slice(0, -1)) {
      const next = cur[p];
      if (!next || typeof next !== 'object' || Array.isArray(next)) cur[p] = {};
      cur = cur[p] as Record<string, unknown>;
    }
    cur[parts[parts.length - 1]] = value;
  };
  const visit = (prefix: string, value: unknown, depth: number) => {
    if (depth > MAX_DEPTH) throw new InputLimitError(`The request body is nested deeper than ${MAX_DEPTH} levels.`);
    if (value && typeof value === 'object' && !Array.isArray(value) && prefix !== 'transient_payload') {
      for (const [k, v] of Object.entries(value)) visit(prefix ? `${prefix}.${k}` : k, v, depth + 1);
      if (prefix && Object.keys(value).length === 0) put(prefix, {});
      return;
    }
    put(prefix, opts.typeOf ? coerce(value, opts.typeOf(prefix)) : value);
  };
  visit('', flat, 0);
  return dropEmpty(out) as Record<string, unknown>;
}

/** A string field of a decoded body (first value of a repeated form key). */
export function field(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : undefined;
}
