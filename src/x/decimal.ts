const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * True when `s` is a plain decimal number: optional sign, digits with an optional fraction (or a
 * fraction alone), optional exponent (`12`, `-1.5`, `.5`, `3.`, `1e-7`). A single left-to-right
 * scan, so its cost is linear in the input whatever the input is (a regex for this grammar
 * backtracks quadratically on a long run of digits that ends badly).
 */
export function isDecimalNumber(s: string): boolean {
  let i = 0;
  const n = s.length;
  if (s[i] === '+' || s[i] === '-') i++;
  let mantissa = 0;
  for (; i < n && isDigit(s.charCodeAt(i)); i++) mantissa++;
  if (s[i] === '.') {
    i++;
    for (; i < n && isDigit(s.charCodeAt(i)); i++) mantissa++;
  }
  if (mantissa === 0) return false;
  if (s[i] === 'e' || s[i] === 'E') {
    i++;
    if (s[i] === '+' || s[i] === '-') i++;
    let exponent = 0;
    for (; i < n && isDigit(s.charCodeAt(i)); i++) exponent++;
    if (exponent === 0) return false;
  }
  return i === n;
}
