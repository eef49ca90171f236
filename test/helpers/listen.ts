import { readFileSync } from 'node:fs';

/**
 * The local addresses on which some process of this machine listens on TCP `port`, read from the
 * kernel's socket tables (/proc/net/tcp and tcp6), so a test sees the real bind, not what a banner says.
 */
export function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const out: string[] = [];
  for (const [file, decode] of [
    ['/proc/net/tcp', ipv4],
    ['/proc/net/tcp6', ipv6],
  ] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A: TCP_LISTEN
      const [addr, p] = cols[1].split(':');
      if (p === hexPort) out.push(decode(addr));
    }
  }
  return out;
}

/** The kernel prints each 32-bit word of an address in host (little-endian) byte order. */
function words(hex: string): number[][] {
  const out: number[][] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const bytes: number[] = [];
    for (let b = 6; b >= 0; b -= 2) bytes.push(Number.parseInt(hex.slice(w + b, w + b + 2), 16));
    out.push(bytes);
  }
  return out;
}

function ipv4(hex: string): string {
  return words(hex)[0].join('.');
}

function ipv6(hex: string): string {
  const bytes = words(hex).flat();
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  const full = groups.join(':');
  return full === '0:0:0:0:0:0:0:0' ? '::' : full === '0:0:0:0:0:0:0:1' ? '::1' : full;
}
