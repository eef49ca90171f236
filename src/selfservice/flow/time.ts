/** Go's RFC3339Nano in UTC: fractional seconds without trailing zeros, none at all when zero. */
export function goTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{0,3}?)0{0,3}Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}
