import type { Config } from '../config/config.js';

export interface IdentitySchema {
  id: string;
  url: string;
  /** The raw bytes of the schema file, served as-is by GET /schemas/{id}. */
  raw: Buffer;
  /** Parsed JSON. */
  schema: Record<string, unknown>;
}

/** STUB (owned by the identity helper). Loads identity.schemas (file:// and base64:// URLs) at start-up. */
export class SchemaRegistry {
  static async load(_config: Config): Promise<SchemaRegistry> {
    throw new Error('not implemented');
  }
  /** By id or by base64url(id) (Kratos TryDecodeID). */
  get(_id: string): IdentitySchema | undefined {
    throw new Error('not implemented');
  }
  list(): IdentitySchema[] {
    throw new Error('not implemented');
  }
  get defaultId(): string {
    throw new Error('not implemented');
  }
}
