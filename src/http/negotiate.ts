import type { FastifyRequest } from 'fastify';
import { mediaTypeOf } from './body.js';

// Why hand-written: negotiator breaks q-ties by header order and refuses ranges that carry parameters;
// @hapi/accept breaks them alphabetically. Kratos (and so every Kratos client) breaks them by the
// server's offer order, which is what the contract requires. The grammar below is RFC 9110 §12.5.1.

interface Range {
  type: string;
  subtype: string;
  q: number;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const RANGE = new RegExp(`^(${TOKEN})/(${TOKEN})$`);
const QVALUE = /^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/;

/**
 * Splits at each `sep` that has an even number of double quotes after it (so separators inside a
 * quoted string stay), in one pass: the lookahead regex that says the same rescans the rest of the
 * header at every separator, quadratic in the header's length.
 */
function splitOutsideQuotes(s: string, sep: string): string[] {
  let quotesAfter = 0;
  for (let i = 0; i < s.length; i++) if (s[i] === '"') quotesAfter++;
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"') quotesAfter--;
    else if (s[i] === sep && quotesAfter % 2 === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

/** Parses an Accept header; malformed elements are skipped (RFC 9110: recipients ignore them). */
export function parseAccept(header: string): Range[] {
  const out: Range[] = [];
  for (const element of splitOutsideQuotes(header, ',')) {
    const [range, ...params] = splitOutsideQuotes(element, ';').map((s) => s.trim());
    const m = RANGE.exec(range ?? '');
    if (!m) continue;
    let q = 1;
    let valid = true;
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      if (p.slice(0, eq).trim().toLowerCase() === 'q') {
        const v = p.slice(eq + 1).trim();
        if (!QVALUE.test(v)) valid = false;
        else q = Number(v);
      }
    }
    if (valid) out.push({ type: m[1].toLowerCase(), subtype: m[2].toLowerCase(), q });
  }
  return out;
}

// The offers Kratos's x.IsJSONRequest negotiates over, in its order; only the last one means JSON.
const OFFERS = ['text/html', 'text/*', '*/*', 'application/json'];

/**
 * Kratos's selection (gddo NegotiateContentType): the highest q wins, then the most specific range
 * (exact over type/* over * /*), then the earlier offer. Matching is case-insensitive and parameters
 * other than q do not prevent a match.
 */
function negotiate(ranges: Range[]): string {
  let best = 'text/html';
  let bestQ = -1;
  let bestWild = 3;
  for (const offer of OFFERS) {
    const [ot, os] = offer.split('/');
    for (const r of ranges) {
      if (r.q === 0 || r.q < bestQ) continue;
      let wild: number;
      if (r.type === '*' && r.subtype === '*') wild = 2;
      else if (r.subtype === '*') {
        if (r.type !== ot) continue;
        wild = 1;
      } else {
        if (r.type !== ot || r.subtype !== os) continue;
        wild = 0;
      }
      if (r.q > bestQ || bestWild > wild) {
        best = offer;
        bestQ = r.q;
        bestWild = wild;
      }
    }
  }
  return best;
}

/** True when the Accept header prefers JSON over HTML (Kratos's x.AcceptsJSON, RFC-correct parsing). */
export function acceptsJson(req: Pick<FastifyRequest, 'headers'>): boolean {
  const accept = req.headers.accept;
  if (!accept) return false;
  // A client sends the same Accept header on every request, so the last answer is kept: one string
  // compare instead of a parse on every logout (bounded: one entry, whatever the header's length).
  if (accept !== lastAccept) {
    lastJson = negotiate(parseAccept(accept)) === 'application/json';
    lastAccept = accept;
  }
  return lastJson;
}
let lastAccept: string | undefined;
let lastJson = false;

/** Kratos's x.IsJSONRequest: JSON by Accept, or a body declared as application/json. */
export function isJsonRequest(req: FastifyRequest): boolean {
  return acceptsJson(req) || mediaTypeOf(req) === 'application/json';
}
