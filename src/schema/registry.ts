import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/load.js';
import { strictUtf8 } from '../x/utf8.js';

export interface IdentitySchema {
  id: string;
  url: string;
  /** The raw bytes of the schema file, served as-is by GET /schemas/{id}. */
  raw: Buffer;
  /** Parsed JSON. */
  schema: Record<string, unknown>;
}

/** Kratos's IDToURL path segment: base64url without padding. */
export function encodeSchemaId(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/** Kratos's TryDecodeID: base64url (no padding) when it decodes to valid UTF-8, otherwise undefined. */
function tryDecodeId(value: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(value) || value.length % 4 === 1) return undefined;
  const buf = Buffer.from(value, 'base64url');
  if (buf.toString('base64url') !== value) return undefined;
  return strictUtf8(buf);
}

async function readSource(key: string, url: string): Promise<Buffer> {
  try {
    if (url.startsWith('base64://')) {
      const body = url.slice('base64://'.length);
      if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(body)) throw new Error('not base64');
      return Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    }
    if (url.startsWith('file://')) return await readFile(fileURLToPath(url));
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new Error('only file:// and base64:// schema URLs are supported');
    // A plain path, as Kratos's file loader also accepts: relative to the working directory.
    return await readFile(isAbsolute(url) ? url : resolve(process.cwd(), url));
  } catch (err) {
    throw new ConfigError(`config key "${key}" could not be loaded (${JSON.stringify(url)}): ${(err as Error).message}`);
  }
}

/** identity.schemas, loaded once at start-up: a missing or invalid file stops the server naming the key. */
export class SchemaRegistry {
  private readonly byId = new Map<string, IdentitySchema>();

  private constructor(
    private readonly schemas: IdentitySchema[],
    private readonly defaultSchemaId: string,
  ) {
    for (const s of schemas) this.byId.set(s.id, s);
  }

  static async load(config: Config): Promise<SchemaRegistry> {
    const list: IdentitySchema[] = [];
    const sources = config.identitySchemas;
    for (let i = 0; i < sources.length; i++) {
      const { id, url } = sources[i];
      const key = `identity.schemas.${i}.url`;
      const raw = await readSource(key, url);
      let schema: unknown;
      try {
        schema = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        throw new ConfigError(`config key "${key}" does not point to valid JSON (${JSON.stringify(url)}): ${(err as Error).message}`);
      }
      if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
        throw new ConfigError(`config key "${key}" does not point to a JSON Schema object (${JSON.stringify(url)})`);
      }
      if (list.some((s) => s.id === id)) throw new ConfigError(`config key "identity.schemas.${i}.id" repeats the schema id ${JSON.stringify(id)}`);
      list.push({ id, url, raw, schema: schema as Record<string, unknown> });
    }
    return new SchemaRegistry(list, config.defaultSchemaId);
  }

  /** By id or by base64url(id) (Kratos TryDecodeID). */
  get(id: string): IdentitySchema | undefined {
    const direct = this.byId.get(id);
    if (direct) return direct;
    const decoded = tryDecodeId(id);
    return decoded === undefined ? undefined : this.byId.get(decoded);
  }
  list(): IdentitySchema[] {
    return [...this.schemas];
  }
  get defaultId(): string {
    return this.defaultSchemaId;
  }
}
