import { ConfigError } from './load.js';
import { parseDuration } from './duration.js';

// The base of the Config class chain (core -> serve -> session -> selfservice -> Config): the raw values,
// the dotted reader and the secrets. Each layer is one concern of the Kratos config file, so a reader
// finds an accessor by the config key's top-level section.

export type Json = Record<string, any>;

export function parseUrl(key: string, value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new ConfigError(`config key "${key}" must be an absolute URL (got ${JSON.stringify(value)})`);
  }
}

export function duration(key: string, value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new ConfigError(`config key "${key}" is not a valid duration (got ${JSON.stringify(value)})`);
  }
}

/** The values and secrets every other layer reads through. */
export class ConfigCore {
  readonly warnings: string[];
  protected readonly v: Json;
  /** Set by Config when secrets.default is empty (a per-process random secret). */
  protected generatedSecret?: string;
  constructor(values: Json, warnings: string[] = []) {
    this.v = values;
    this.warnings = [...warnings];
  }

  /** Raw dotted read, for the few places that need a value verbatim. */
  get(path: string): unknown {
    let cur: unknown = this.v;
    for (const part of path.split('.')) cur = (cur as Json | undefined)?.[part];
    return cur;
  }
  get dsn(): string {
    if (!this.v.dsn) throw new ConfigError('config key "dsn" is required');
    return this.v.dsn;
  }
  get dev(): boolean {
    return this.v.dev === true;
  }
  secretsDefault(): string[] {
    return this.v.secrets.default ?? [];
  }
  /** Secrets for cookies and logout-token HMACs: the first signs, all verify. */
  get cookieSecrets(): string[] {
    // Memoised once the generated dev secret (set by the constructor of Config) exists: every cookie
    // whoami and logout reads it.
    if (this.cookieSecretsMemo) return this.cookieSecretsMemo;
    const s = this.v.secrets.cookie?.length ? this.v.secrets.cookie : this.secretsDefault();
    const list = s.length ? s : [this.generatedSecret as string];
    if (list[0] !== undefined) this.cookieSecretsMemo = list;
    return list;
  }
  private cookieSecretsMemo?: string[];
  /** Secrets the codes' HMAC is keyed with: the first issues, all verify (rotation). */
  get codeSecrets(): string[] {
    const s = this.secretsDefault();
    return s.length ? s : this.cookieSecrets;
  }

}
