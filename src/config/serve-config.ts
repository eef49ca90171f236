import { availableParallelism } from 'node:os';
import { parseByteSizeKiB, parseDuration } from './duration.js';
import { courierSettings, type CourierSettings } from './courier.js';
import { ConfigCore } from './config-core.js';

// serve.*, log, hashers, identity schemas, courier and porta's server-level extensions (ui, sqlite, proxies).

/** Porta's admin default: loopback, so an unconfigured admin API is not on the network. */
export const ADMIN_DEFAULT_HOST = '127.0.0.1';

export interface CorsSettings {
  enabled: boolean;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposedHeaders: string[];
  allowCredentials: boolean;
  maxAge: number;
}
export interface Argon2Settings {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  saltLength: number;
  keyLength: number;
  expectedDurationMs: number;
  expectedDeviationMs: number;
}
export interface SchemaSource {
  id: string;
  url: string;
}

export class ServeConfig extends ConfigCore {
  get publicListen(): { host: string; port: number } {
    return { host: this.v.serve.public.host, port: this.v.serve.public.port };
  }
  /** The admin server's address: loopback unless serve.admin.host says otherwise. */
  get adminListen(): { host: string; port: number } {
    return { host: this.v.serve.admin.host || ADMIN_DEFAULT_HOST, port: this.v.serve.admin.port };
  }
  /** Whether serve.admin.base_url was given (otherwise adminBaseURL is derived from host and port). */
  get adminBaseURLConfigured(): boolean {
    return Boolean(this.v.serve.admin.base_url);
  }
  /** porta.admin.api_keys: when non-empty, admin routes other than health require one as a Bearer token. */
  get adminApiKeys(): string[] {
    return this.v.porta.admin.api_keys;
  }
  get cors(): CorsSettings {
    const c = this.v.serve.public.cors;
    return {
      enabled: c.enabled,
      allowedOrigins: c.allowed_origins,
      allowedMethods: c.allowed_methods,
      allowedHeaders: c.allowed_headers,
      exposedHeaders: c.exposed_headers,
      allowCredentials: c.allow_credentials,
      maxAge: c.max_age,
    };
  }
  /** Addresses and CIDR ranges of reverse proxies whose X-Forwarded-For is believed. */
  get trustedProxies(): string[] {
    return this.v.porta.trusted_proxies;
  }
  get log(): { level: string; format: 'json' | 'text'; leakSensitiveValues: boolean } {
    const l = this.v.log;
    return { level: l.level === 'warning' ? 'warn' : l.level === 'panic' ? 'fatal' : l.level, format: l.format, leakSensitiveValues: l.leak_sensitive_values };
  }
  get uiEnabled(): boolean {
    return this.v.porta.ui.enabled !== false;
  }
  get sqliteCheckpointIntervalMs(): number {
    return parseDuration(this.v.porta.sqlite.checkpoint_interval);
  }
  get sqliteWalMaxPages(): number {
    return this.v.porta.sqlite.wal_max_pages;
  }
  /** courier.* (SMTP, retries, worker, templates) and porta.courier.*; validated by courierSettings. */
  get courier(): CourierSettings {
    return courierSettings(this.v);
  }
  get identitySchemas(): SchemaSource[] {
    return this.v.identity.schemas;
  }
  get defaultSchemaId(): string {
    return this.v.identity.default_schema_id;
  }
  /**
   * How many password hashes and verifications may run at once (hash/limit.ts). Automatic: the CPUs this
   * process may use (its affinity, so `taskset` counts) minus one kept for the event loop, at least one.
   */
  get hashMaxConcurrent(): number {
    const set = this.v.porta.hashing.max_concurrent;
    return set > 0 ? set : Math.max(1, availableParallelism() - 1);
  }
  /** The nice value `porta serve` gives libuv's thread pool, where hashes compute (0: unchanged). */
  get hashingNice(): number {
    return this.v.porta.hashing.nice;
  }
  get hasherAlgorithm(): 'argon2' | 'bcrypt' {
    return this.v.hashers.algorithm;
  }
  get argon2(): Argon2Settings {
    const a = this.v.hashers.argon2;
    return {
      memoryKiB: parseByteSizeKiB(a.memory),
      iterations: a.iterations,
      parallelism: a.parallelism,
      saltLength: a.salt_length,
      keyLength: a.key_length,
      expectedDurationMs: a.expected_duration ? parseDuration(a.expected_duration) : 500,
      expectedDeviationMs: a.expected_deviation ? parseDuration(a.expected_deviation) : 500,
    };
  }
  get bcryptCost(): number {
    return this.v.hashers.bcrypt.cost;
  }
}
