import type { Ajv } from 'ajv';
import { RE2JS } from 're2js';

/**
 * String formats for identity schemas whose cost stays linear in the value. Schema formats run on
 * values anyone can submit at registration, so a backtracking format regex is a way to freeze the
 * process: ajv-formats' `uri` regex is cubic and its `url` regex quadratic (the ReDoS test finds
 * both), and a few others cannot be proven safe. Those are replaced; every other regex format is run
 * by RE2 (linear time) when RE2 can compile it.
 */
export function useLinearFormats(ajv: Ajv): void {
  for (const [name, format] of Object.entries(ajv.formats)) {
    if (!(format instanceof RegExp)) continue;
    let re: RE2JS;
    try {
      re = RE2JS.compile(RE2JS.translateRegExp(format.source), format.flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
    } catch {
      continue; // lookaround (duration): kept as it is; the ReDoS test checks what stays on V8's engine
    }
    ajv.addFormat(name, (value: string) => re.test(value));
  }
  ajv.addFormat('duration', isDuration);
  ajv.addFormat('uri', isAbsoluteURI);
  ajv.addFormat('url', isAbsoluteWebURL);
}

const isAlpha = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
/** RFC 3986 unreserved, gen-delims and sub-delims: the characters a URI may hold besides escapes. */
const URI_CHARS = new Set("-._~:/?#[]@!$&'()*+,;=");

/** Length of the RFC 3986 scheme at the start of `s` (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`), 0 when none. */
function schemeLength(s: string): number {
  if (s.length === 0 || !isAlpha(s.charCodeAt(0))) return 0;
  let i = 1;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isAlpha(c) && !isDigit(c) && c !== 0x2b && c !== 0x2d && c !== 0x2e) break;
  }
  return s[i] === ':' ? i : 0;
}

/**
 * `format: uri`: an absolute URI (a scheme, as Kratos's validator requires), made only of RFC 3986
 * characters with well-formed percent-escapes, that the WHATWG parser accepts. One pass, no regex.
 */
export function isAbsoluteURI(value: string): boolean {
  if (schemeLength(value) === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25) {
      if (!isHex(value.charCodeAt(i + 1)) || !isHex(value.charCodeAt(i + 2))) return false;
      i += 2;
    } else if (!isAlpha(c) && !isDigit(c) && !URI_CHARS.has(value[i])) return false;
  }
  return URL.canParse(value);
}

/** `format: url` (an ajv-formats extra; Kratos's validator has none): an absolute http, https or ftp URL. */
export function isAbsoluteWebURL(value: string): boolean {
  const sep = value.indexOf('://');
  const scheme = sep < 0 ? '' : value.slice(0, sep).toLowerCase();
  return (scheme === 'http' || scheme === 'https' || scheme === 'ftp') && URL.canParse(value);
}

/** ISO 8601 duration as ajv-formats reads it, with its two lookarounds done in code so that RE2 can run the rest. */
const DURATION = RE2JS.compile('^P((\\d+Y)?(\\d+M)?(\\d+D)?(T(\\d+H)?(\\d+M)?(\\d+S)?)?|(\\d+W)?)$');
export function isDuration(value: string): boolean {
  if (value === 'P') return false;
  const t = value.indexOf('T');
  if (t >= 0 && !isDigit(value.charCodeAt(t + 1))) return false;
  return DURATION.test(value);
}
