/**
 * Go's time.Time JSON (RFC 3339 with nanoseconds, UTC): fractional seconds without trailing zeros, none at
 * all when they are zero. JavaScript dates carry milliseconds, so only the three digits can be trimmed;
 * done by hand because this runs several times per whoami.
 */
export function goTime(d: Date): string {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ (years 0-9999)
  const ms = d.getUTCMilliseconds();
  if (ms === 0) return `${iso.slice(0, 19)}Z`;
  if (ms % 100 === 0) return `${iso.slice(0, 21)}Z`;
  if (ms % 10 === 0) return `${iso.slice(0, 22)}Z`;
  return iso;
}
