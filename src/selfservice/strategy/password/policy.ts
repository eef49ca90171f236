import type { PasswordPolicy } from '../../../config/config.js';
import { uiText, type UiText } from '../../../x/text.js';

const MAX_SIMILARITY_INPUT = 256;

function levenshtein(a: string[], b: string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** Length of the longest common substring. */
function lcsLength(a: string[], b: string[]): number {
  let best = 0;
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      if (a[i - 1] === b[j - 1]) {
        cur[j] = prev[j - 1] + 1;
        if (cur[j] > best) best = cur[j];
      }
    }
    prev = cur;
  }
  return best;
}

/** True when Kratos would call the password "too similar" to the identifier. */
export function tooSimilar(identifier: string, password: string): boolean {
  if (identifier === '') return false;
  if (Buffer.byteLength(identifier) > MAX_SIMILARITY_INPUT || Buffer.byteLength(password) > MAX_SIMILARITY_INPUT) return false;
  const id = [...identifier.toLowerCase()];
  const pw = [...password.toLowerCase()];
  return levenshtein(id, pw) < 5 || lcsLength(id, pw) / pw.length > 0.5;
}

/**
 * Kratos's DefaultPasswordValidator without the breached-password lookup (no network, by contract):
 * minimum length in bytes, then similarity to each identifier. Returns the message for the password node.
 */
export function checkPassword(policy: PasswordPolicy, identifiers: string[], password: string): UiText | undefined {
  const length = Buffer.byteLength(password, 'utf8');
  if (length < policy.minPasswordLength) {
    return uiText(4000032, `The password must be at least ${policy.minPasswordLength} characters long, but got ${length}.`, 'error', {
      actual_length: length,
      min_length: policy.minPasswordLength,
    });
  }
  if (policy.identifierSimilarityCheck) {
    for (const id of identifiers) {
      if (tooSimilar(id, password)) return uiText(4000031, 'The password can not be used because it is too similar to the identifier.', 'error');
    }
  }
  return undefined;
}
