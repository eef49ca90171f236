import type { Identity, Session, SessionDevice } from './kratos.js';

/** Human text for the pages: dates, devices and the name of who is signed in. */

const DATE = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
  timeZoneName: 'short',
});

export interface TimeView {
  iso: string;
  text: string;
}

export function timeView(value: string | undefined | null): TimeView | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 2) return undefined;
  return { iso: d.toISOString(), text: DATE.format(d) };
}

const BROWSERS: [RegExp, string][] = [
  [/Edg\//, 'Edge'],
  [/OPR\//, 'Opera'],
  [/Firefox\//, 'Firefox'],
  [/Chrom(e|ium)\//, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/curl\//, 'curl'],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/** "Chrome on Linux" from a User-Agent; the raw string is shown next to it for the curious. */
export function deviceName(userAgent: string | null | undefined): string {
  if (!userAgent) return 'Unknown device';
  const browser = BROWSERS.find(([re]) => re.test(userAgent))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? 'Unknown device';
}

export interface DeviceView {
  sessionId: string;
  name: string;
  userAgent: string;
  ip: string;
  location: string;
  signedIn?: TimeView;
  expires?: TimeView;
  current: boolean;
}

export function deviceView(session: Session, current: boolean): DeviceView {
  const device: SessionDevice | undefined = session.devices?.[0] ?? undefined;
  return {
    sessionId: session.id,
    name: deviceName(device?.user_agent),
    userAgent: device?.user_agent ?? '',
    ip: device?.ip_address ?? '',
    location: device?.location ?? '',
    signedIn: timeView(session.authenticated_at ?? session.issued_at),
    expires: timeView(session.expires_at),
    current,
  };
}

/** The identifier a person recognises: email, then username, then any string trait, then the id. */
export function displayName(identity: Identity | null | undefined): string {
  const traits = identity?.traits ?? {};
  for (const key of ['email', 'username', 'phone']) {
    const v = traits[key];
    if (typeof v === 'string' && v) return v;
  }
  const firstString = Object.values(traits).find((v): v is string => typeof v === 'string' && v !== '');
  return firstString ?? identity?.id ?? 'Unknown';
}

export interface TraitView {
  key: string;
  value: string;
}

/** Traits in the schema's order, labelled with the schema's titles when it has them. */
export function traitViews(identity: Identity | null | undefined, titles: Map<string, string> = new Map()): TraitView[] {
  const traits = identity?.traits ?? {};
  const order = [...titles.keys()];
  const rank = (k: string) => (order.indexOf(k) < 0 ? order.length : order.indexOf(k));
  return Object.entries(traits)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([key, v]) => ({ key: titles.get(key) ?? key, value: typeof v === 'boolean' ? (v ? 'Yes' : 'No') : typeof v === 'string' ? v : JSON.stringify(v) }));
}

/** trait name → title, from an identity schema as GET /schemas/{id} returns it. */
export function traitTitles(schema: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const props = (schema as { properties?: { traits?: { properties?: Record<string, { title?: unknown }> } } } | undefined)?.properties?.traits?.properties;
  if (!props || typeof props !== 'object') return out;
  for (const [key, def] of Object.entries(props)) out.set(key, typeof def?.title === 'string' && def.title ? def.title : key);
  return out;
}
