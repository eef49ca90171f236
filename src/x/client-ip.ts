import { BlockList, isIP } from 'node:net';

/** At most this many X-Forwarded-For entries are examined (a longer chain is cut, not trusted). */
const MAX_HOPS = 32;

/** `::ffff:1.2.3.4` (an IPv4 peer on a dual-stack socket) is the IPv4 address it carries. */
function unmap(addr: string): string {
  const lower = addr.toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}

/**
 * The `porta.trusted_proxies` list as a BlockList: each entry an IPv4/IPv6 address or a CIDR range.
 * Throws with the offending entry, so a typo stops start-up instead of silently trusting nothing.
 */
export function parseTrustedProxies(entries: string[]): BlockList {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    const slash = entry.indexOf('/');
    const addr = unmap(slash < 0 ? entry : entry.slice(0, slash));
    const family = isIP(addr);
    if (family === 0) throw new Error(`"${raw}" is not an IP address or CIDR range`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (slash < 0) {
      list.addAddress(addr, type);
      continue;
    }
    const bits = entry.slice(slash + 1);
    const prefix = Number(bits);
    if (bits === '' || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128) || String(prefix) !== bits) {
      throw new Error(`"${raw}" has an invalid prefix length`);
    }
    list.addSubnet(addr, prefix, type);
  }
  return list;
}

function trusted(list: BlockList, addr: string): boolean {
  const family = isIP(addr);
  return family !== 0 && list.check(addr, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The client's IP: the socket peer, unless the peer is a trusted proxy; then X-Forwarded-For is walked
 * from the right (the entry the nearest proxy appended) and the first address that is not a trusted
 * proxy is the client. An entry that is not an IP address ends the walk at the hop that forwarded it,
 * so a client cannot pick its own identity by writing garbage; if every hop is trusted, the leftmost
 * entry is the client.
 */
export function clientIp(peer: string | undefined, forwardedFor: string | string[] | undefined, proxies: BlockList): string {
  let client = unmap(peer ?? '');
  if (!trusted(proxies, client) || forwardedFor === undefined) return client;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const hops = header.split(',').slice(-MAX_HOPS);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = unmap(hops[i].trim());
    if (isIP(hop) === 0) return client;
    client = hop;
    if (!trusted(proxies, hop)) return client;
  }
  return client;
}
