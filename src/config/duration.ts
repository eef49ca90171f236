// Go-style durations as Kratos writes them ("24h", "1h30m", "500ms").
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/y;

export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$';

/** Parses a Go duration string into milliseconds; throws on anything else. */
export function parseDuration(input: string): number {
  if (input === '0') return 0;
  let total = 0;
  PART.lastIndex = 0;
  let pos = 0;
  while (pos < input.length) {
    PART.lastIndex = pos;
    const m = PART.exec(input);
    if (!m) throw new Error(`invalid duration "${input}"`);
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = PART.lastIndex;
  }
  if (pos === 0) throw new Error(`invalid duration "${input}"`);
  return total;
}

/** Parses sizes such as "128MB" or "19MiB" (argon2 memory) into KiB. */
export function parseByteSizeKiB(input: string | number): number {
  if (typeof input === 'number') return Math.floor(input / 1024);
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/i.exec(input.trim());
  if (!m) throw new Error(`invalid byte size "${input}"`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'B').toLowerCase();
  const factor: Record<string, number> = { b: 1, kb: 1000, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 };
  return Math.floor((n * factor[unit]) / 1024);
}
