import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

/**
 * clients.http.disallow_private_ip_ranges (Kratos's SSRF guard): when on, a web hook (or a remote
 * template) may only reach public addresses. The host is resolved first and every address it
 * resolves to is checked, so a name that mixes a public and a private address is refused; an IP
 * literal is checked as is. URLs in private_ip_exception_urls are exempt (exact match).
 */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family !== 6) return true;
  const lower = address.toLowerCase();
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) reaches the IPv4 address.
  if (lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4) return PRIVATE.check(lower.slice(7), 'ipv4');
  return PRIVATE.check(lower, 'ipv6');
}

export class PrivateAddressError extends Error {
  constructor(host: string) {
    // Kratos's dialer error reads "... no route to host"; receivers' operators search for it.
    super(`refusing to connect to ${host}: it resolves to a private IP range (no route to host); see clients.http.disallow_private_ip_ranges`);
  }
}

export interface Guard {
  /** Throws PrivateAddressError for an IP-literal URL that is refused. */
  checkLiteral(url: URL): void;
  /** A `lookup` for node:http that refuses private answers; undefined when the guard is off for this URL. */
  lookup(url: URL): typeof dnsLookup | undefined;
}

export function privateRangeGuard(enabled: boolean, exceptions: string[]): Guard {
  const exempt = new Set(exceptions.map((u) => safeHref(u)));
  const off = (url: URL) => !enabled || exempt.has(url.href);
  return {
    checkLiteral(url) {
      if (off(url)) return;
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) && isPrivateAddress(host)) throw new PrivateAddressError(url.host);
    },
    lookup(url) {
      if (off(url)) return undefined;
      const guarded = (hostname: string, options: unknown, callback: unknown) => {
        const opts = (typeof options === 'object' && options !== null ? options : {}) as { all?: boolean; family?: number };
        const cb = (typeof options === 'function' ? options : callback) as (err: Error | null, a?: unknown, f?: number) => void;
        dnsLookup(hostname, { all: true, family: opts.family ?? 0 }, (err, addresses: LookupAddress[]) => {
          if (err) return cb(err);
          if (addresses.length === 0 || addresses.some((a) => isPrivateAddress(a.address))) return cb(new PrivateAddressError(hostname));
          if (opts.all) return cb(null, addresses);
          return cb(null, addresses[0].address, addresses[0].family);
        });
      };
      return guarded as unknown as typeof dnsLookup;
    },
  };
}

function safeHref(u: string): string {
  try {
    return new URL(u).href;
  } catch {
    return u;
  }
}
