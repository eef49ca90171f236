/**
 * CORS origin matching: exact origins, `*` for any, or `scheme://*.domain` matching one or more labels
 * in front of the domain (never the domain's suffix inside a label: `*.example.com` does not match
 * `evilexample.com`).
 */
export function originAllowed(origin: string, allowed: string[]): boolean {
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (o.origin !== origin.toLowerCase().replace(/\/$/, '') && o.origin !== origin) return false;
  for (const entry of allowed) {
    if (entry === '*') return true;
    const wild = /^([a-z][a-z0-9+.-]*):\/\/\*\.(.+)$/i.exec(entry);
    if (wild) {
      let base: URL;
      try {
        base = new URL(`${wild[1]}://${wild[2]}`);
      } catch {
        continue;
      }
      if (o.protocol === base.protocol && o.port === base.port && o.hostname.endsWith(`.${base.hostname}`)) return true;
      continue;
    }
    try {
      if (new URL(entry).origin === o.origin) return true;
    } catch {
      /* an unparsable entry never matches */
    }
  }
  return false;
}
