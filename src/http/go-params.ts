import { goQuote } from '../x/go/quote.js';
import { errDecode } from './catalogue/index.js';

const HEX = /^[0-9a-fA-F]$/;

/**
 * gofrs/uuid FromString (the parser Kratos uses for path ids): canonical, 32-hex, braced and URN forms.
 * Returns the canonical lower-case form, or throws the 400 Kratos answers, whose message is the
 * parser's own error text.
 */
export function parseUUID(input: string): string {
  const bad = errDecode;
  const len = Buffer.byteLength(input, 'utf8');
  let s = input;
  if (len === 34 || len === 38) {
    if (!s.startsWith('{') || !s.endsWith('}')) throw bad(`uuid: incorrect UUID format in string ${goQuote(input)}`);
    s = s.slice(1, -1);
  } else if (len === 41 || len === 45) {
    if (!s.startsWith('urn:uuid:')) throw bad(`uuid: incorrect UUID format in string ${goQuote(Buffer.from(input).subarray(0, 9).toString('latin1'))}`);
    s = s.slice(9);
  } else if (len !== 32 && len !== 36) {
    throw bad(`uuid: incorrect UUID length ${len} in string ${goQuote(input)}`);
  }
  let hex: string;
  if (s.length === 36) {
    if (s[8] !== '-' || s[13] !== '-' || s[18] !== '-' || s[23] !== '-') throw bad(`uuid: incorrect UUID format in string ${goQuote(s)}`);
    hex = s.slice(0, 8) + s.slice(9, 13) + s.slice(14, 18) + s.slice(19, 23) + s.slice(24);
  } else hex = s;
  if (hex.length !== 32 || ![...hex].every((c) => HEX.test(c))) throw bad('uuid: invalid UUID format');
  hex = hex.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Go's strconv.ParseBool; undefined when the text is not one of its spellings. */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** Go's strconv.Atoi/ParseInt(s, 10, 0) on a 64-bit platform; undefined on any syntax or range error. */
export function parseGoInt(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}
