import type { FastifyRequest } from 'fastify';
import { parse as parseContentType } from 'content-type';
import { strictUtf8 } from '../x/utf8.js';
import { errBodyEmpty, errBodyNotUtf8, errBodyUrlEscape, errJsonPayload, errUnknownContentType } from './catalogue/index.js';

/** The media type of the request without parameters, lower-cased; undefined when absent or unparsable. */
export function mediaTypeOf(req: FastifyRequest): string | undefined {
  const raw = req.headers['content-type'];
  if (!raw) return undefined;
  // The value nearly every JSON client sends is its own answer; the parser is for everything else.
  if (raw === 'application/json') return raw;
  try {
    return parseContentType(raw).type;
  } catch {
    return undefined;
  }
}

function rawBody(req: FastifyRequest): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

function hasNoBody(req: FastifyRequest): boolean {
  return req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] === undefined || req.headers['content-length'] === '0');
}

/** A request body's text; not UTF-8 is Kratos's 400. */
export function decodeUtf8(buf: Buffer): string {
  const text = strictUtf8(buf);
  if (text === undefined) throw errBodyNotUtf8();
  return text;
}

/**
 * decoderx.HTTPJSONDecoder as Kratos uses it: the body must be present, declared as application/json,
 * and valid JSON. Reasons are Kratos's own texts.
 */
export function readJsonBody(req: FastifyRequest): unknown {
  if (hasNoBody(req)) {
    throw errBodyEmpty();
  }
  if (mediaTypeOf(req) !== 'application/json') {
    const ct = req.headers['content-type'] ?? '';
    throw errUnknownContentType(req.method, ct, 'application/json');
  }
  const text = decodeUtf8(rawBody(req));
  try {
    return JSON.parse(text);
  } catch (err) {
    throw errJsonPayload((err as Error).message);
  }
}

/** Parses an application/x-www-form-urlencoded body strictly (bad escapes are a 400, not a guess). */
export function readFormBody(req: FastifyRequest): Map<string, string[]> {
  const text = decodeUtf8(rawBody(req));
  const out = new Map<string, string[]>();
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
      value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    } catch (err) {
      throw errBodyUrlEscape((err as Error).message);
    }
    const list = out.get(key);
    if (list) list.push(value);
    else out.set(key, [value]);
  }
  return out;
}
