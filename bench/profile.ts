/**
 * Where the time goes, from a V8 .cpuprofile (node --cpu-prof): self time per function and per area
 * (Porta's own code, each npm package, node internals, GC/idle).
 *
 *   node --import tsx bench/profile.ts FILE.cpuprofile
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/(dist|src)\/(.+)$/.exec(url);
  if (own) return `porta ${own[2].split('/').slice(0, -1).join('/') || own[2]}`;
  return url;
}

/**
 * `lastSeconds`: only samples from the last N seconds of the profile (the measured run; the process
 * is stopped right after it), so start-up and module loading do not blur the picture.
 */
export function summarizeProfile(file: string, lastSeconds = Infinity, top = 25): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const from = p.endTime - lastSeconds * 1e6;
  let t = p.startTime;
  p.samples.forEach((id, i) => {
    t += p.timeDeltas[i] ?? 0;
    if (t >= from) self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  const idle = [...self].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
  const busy = total - idle || 1;

  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id);
    if (!n || n.callFrame.functionName === '(idle)') continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const short = url.replace(/^.*\/(node_modules|dist|src)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + t);
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + t);
  }
  const pct = (t: number) => `${((t / busy) * 100).toFixed(1)}%`;
  const sorted = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);
  const lines = [
    `Busy ${((busy / total) * 100).toFixed(0)}% of ${(total / 1e6).toFixed(1)} s sampled (shares below are of busy time).`,
    '',
    '| area | self time |',
    '|---|---:|',
    ...sorted(areas, 15).map(([a, t]) => `| ${a} | ${pct(t)} |`),
    '',
    '| function | self time |',
    '|---|---:|',
    ...sorted(fns, top).map(([f, t]) => `| \`${f}\` | ${pct(t)} |`),
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const last = Number(process.env.LAST_SECONDS ?? Infinity);
  for (const f of process.argv.slice(2)) process.stdout.write(`${summarizeProfile(f, last)}\n`);
}
