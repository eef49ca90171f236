/**
 * Kratos's GracefulNormalization, reduced to what matters for password identifiers and email
 * addresses: surrounding space trimmed, compatibility forms folded (NFKC, which also folds full-width
 * letters), lower-cased, and invisible format/control characters dropped so that look-alike
 * identifiers collide instead of creating a second account.
 */
export function normalizeIdentifier(value: string): string {
  return value
    .normalize('NFKC')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim()
    .toLowerCase()
    .normalize('NFKC');
}

/** Stable de-duplication that keeps the first occurrence. */
export function unique(values: string[]): string[] {
  return [...new Set(values)];
}
