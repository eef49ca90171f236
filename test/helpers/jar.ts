import { parse as parseCookie } from 'cookie';

export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
  raw: string;
}

/** Parses every Set-Cookie header of a response (light-my-request or fetch). */
export function setCookies(headers: Record<string, unknown> | Headers): SetCookie[] {
  let raw: string[];
  if (typeof (headers as Headers).getSetCookie === 'function') raw = (headers as Headers).getSetCookie();
  else {
    const v = (headers as Record<string, unknown>)['set-cookie'];
    raw = Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : [];
  }
  return raw.map((line) => {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    const attributes: Record<string, string | true> = {};
    for (const a of attrs) {
      const i = a.indexOf('=');
      const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
      attributes[k] = i < 0 ? true : a.slice(i + 1).trim();
    }
    return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes, raw: line };
  });
}

/** A minimal cookie jar for one host: stores Set-Cookie, drops expired ones, renders a Cookie header. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(headers: Record<string, unknown> | Headers): this {
    for (const c of setCookies(headers)) {
      const maxAge = c.attributes['max-age'];
      const expires = c.attributes.expires;
      const expired = (typeof maxAge === 'string' && Number(maxAge) <= 0) || (typeof expires === 'string' && Date.parse(expires) < Date.now());
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return this;
  }
  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
  set(name: string, value: string): this {
    this.cookies.set(name, value);
    return this;
  }
  delete(name: string): this {
    this.cookies.delete(name);
    return this;
  }
  names(): string[] {
    return [...this.cookies.keys()];
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  clone(): CookieJar {
    const j = new CookieJar();
    for (const [k, v] of this.cookies) j.set(k, v);
    return j;
  }
  static fromHeader(header: string): CookieJar {
    const j = new CookieJar();
    for (const [k, v] of Object.entries(parseCookie(header))) if (v !== undefined) j.set(k, v);
    return j;
  }
}
