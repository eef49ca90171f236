import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { configSchema } from './schema.js';
import { deepMerge } from '../x/merge.js';

export class ConfigError extends Error {}

type Json = Record<string, unknown>;
type SchemaNode = { type?: unknown; properties?: Record<string, SchemaNode>; items?: SchemaNode };

export interface LoadOptions {
  /** Path to a Kratos-format YAML or JSON file. */
  file?: string;
  /** Already-parsed values, merged under the file (tests, embedded defaults). */
  values?: Json;
  /** Environment to read overrides from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** `--dev` on the command line. */
  dev?: boolean;
}

export interface LoadResult {
  values: Json;
  warnings: string[];
}

export function readConfigFile(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`unable to read config file ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
    if (parsed == null) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the document is not an object');
    return parsed as Json;
  } catch (err) {
    throw new ConfigError(`unable to parse config file ${file}: ${(err as Error).message}`);
  }
}

/** Every leaf key the schema knows, as dotted paths, with its JSON type. */
function leafPaths(node: SchemaNode, prefix = '', out = new Map<string, SchemaNode>()): Map<string, SchemaNode> {
  if (node.properties) {
    for (const [key, child] of Object.entries(node.properties)) leafPaths(child, prefix ? `${prefix}.${key}` : key, out);
  }
  if (prefix) out.set(prefix, node);
  return out;
}
const KNOWN = leafPaths(configSchema as unknown as SchemaNode);

function coerceEnv(raw: string, node: SchemaNode, key: string): unknown {
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes('array') || types.includes('object')) {
    const trimmed = raw.trim();
    if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
      try {
        return JSON.parse(trimmed);
      } catch {
        throw new ConfigError(`environment variable ${key} is not valid JSON`);
      }
    }
    if (types.includes('array')) return trimmed === '' ? [] : trimmed.split(',').map((s) => s.trim());
  }
  if (types.includes('integer') && /^-?[0-9]+$/.test(raw)) return Number(raw);
  if (types.includes('boolean') && /^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  return raw;
}

function setPath(target: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof cur[part] !== 'object' || cur[part] === null || Array.isArray(cur[part])) cur[part] = {};
    cur = cur[part] as Json;
  }
  cur[parts[parts.length - 1]] = value;
}


function unknownKeys(values: Json, prefix = '', out: string[] = []): string[] {
  for (const [key, value] of Object.entries(values)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const known = KNOWN.get(path);
    if (!known) {
      out.push(path);
      continue;
    }
    if (known.properties && value && typeof value === 'object' && !Array.isArray(value)) unknownKeys(value as Json, path, out);
  }
  return out;
}

function describe(err: ErrorObject, values: Json): string {
  const path = err.instancePath.replace(/^\//, '').replace(/\//g, '.');
  let value: unknown = values;
  for (const part of err.instancePath.split('/').filter(Boolean)) value = (value as Json | undefined)?.[part];
  // `porta` and `porta.admin` hold the admin API keys below them: a type error there must not print them.
  // The DSN and the SMTP URI may carry passwords; porta.session_events holds receiver credentials and signing
  // secrets the same way.
  const secret =
    path.startsWith('secrets') ||
    path === 'dsn' ||
    path === 'porta' ||
    path.startsWith('porta.admin') ||
    path.startsWith('porta.session_events') ||
    path === 'courier.smtp.connection_uri';
  const shown = secret ? '<redacted>' : JSON.stringify(value);
  return `config key "${path || '(root)'}" ${err.message ?? 'is invalid'} (got ${shown})`;
}

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
const validate = ajv.compile(configSchema);

/** Reads, merges, overrides from the environment, validates and fills Kratos's defaults. */
export function loadConfigValues(opts: LoadOptions): LoadResult {
  let values: Json = deepMerge({}, opts.values ?? {});
  if (opts.file) values = deepMerge(values, readConfigFile(opts.file));
  const env = opts.env ?? process.env;
  for (const [path, node] of KNOWN) {
    const key = path.toUpperCase().replace(/\./g, '_');
    const raw = env[key];
    if (raw !== undefined && !(node.properties && !node.type)) setPath(values, path, coerceEnv(raw, node, key));
  }
  if (opts.dev) values.dev = true;
  const warnings = unknownKeys(values).map((k) => `config key "${k}" is not implemented by Porta and is ignored`);
  if (!validate(values)) {
    const messages = (validate.errors ?? []).map((e) => describe(e, values));
    throw new ConfigError(messages.join('; '));
  }
  return { values, warnings };
}
