import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../../config/load.js';
import { importViolation } from './jsonnet/imports.js';
import type { JsonnetPool } from './jsonnet/pool.js';

const REMOTE_TTL_MS = 60 * 60 * 1000; // Kratos caches remote templates for 60 minutes.
const MAX_TEMPLATE_BYTES = 512 * 1024;

export type RemoteFetch = (url: URL) => Promise<string>;

/**
 * The `body` template of one web hook: `base64://` and `file://` (and a bare path, read as a file with
 * a warning) are read and checked when the server starts; `http(s)://` templates are fetched on
 * first use through the hook client (private-range guard included) and cached as Kratos caches them.
 */
export class BodyTemplate {
  private source?: string;
  private fetchedAt = 0;

  constructor(
    private readonly uri: string,
    private readonly key: string,
    private readonly fetchRemote: RemoteFetch,
  ) {}

  /** Reads a local template and compiles it (without running it); throws ConfigError naming the key. */
  async prepare(pool: JsonnetPool, warn: (msg: string) => void): Promise<void> {
    if (/^https?:\/\//i.test(this.uri)) return;
    this.source = this.readLocal(warn);
    const refused = importViolation(this.source);
    if (refused) throw new ConfigError(`config key "${this.key}" names a template that cannot be used: ${refused}`);
    try {
      // Jsonnet is lazy: binding the template to an unused local parses it without evaluating it.
      await pool.evaluate(`local __porta_template =\n${this.source}\n;\nnull\n`);
    } catch (err) {
      throw new ConfigError(`config key "${this.key}" names a template that does not compile: ${(err as Error).message}`);
    }
  }

  /** The template text (remote ones fetched or refreshed as needed). */
  async text(): Promise<string> {
    if (this.source !== undefined && (this.fetchedAt === 0 || Date.now() - this.fetchedAt < REMOTE_TTL_MS)) return this.source;
    const text = await this.fetchRemote(new URL(this.uri));
    const refused = importViolation(text);
    if (refused) throw new Error(`the template at ${this.key} cannot be used: ${refused}`);
    this.source = text;
    this.fetchedAt = Date.now();
    return text;
  }

  private readLocal(warn: (msg: string) => void): string {
    let text: string;
    try {
      if (this.uri.startsWith('base64://')) {
        const b64 = this.uri.slice('base64://'.length);
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) throw new Error('not standard base64 with padding');
        text = Buffer.from(b64, 'base64').toString('utf8');
      } else if (this.uri.startsWith('file://')) {
        text = readFileSync(fileURLToPath(this.uri), 'utf8');
      } else if (!this.uri.includes('://')) {
        warn(`config key "${this.key}" is a bare path: it is read as file://${this.uri}; write the file:// form (a bare path is deprecated in Kratos)`);
        text = readFileSync(this.uri, 'utf8');
      } else {
        throw new Error('the scheme must be base64://, file://, http:// or https://');
      }
    } catch (err) {
      throw new ConfigError(`config key "${this.key}" cannot be read: ${(err as Error).message}`);
    }
    if (Buffer.byteLength(text) > MAX_TEMPLATE_BYTES) throw new ConfigError(`config key "${this.key}" names a template larger than 512 KiB`);
    return text;
  }
}
