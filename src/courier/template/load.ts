import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../config/load.js';
import type { TemplateType } from '../message.js';
import { BUILTIN_TEMPLATES } from './builtin.js';
import { parseTemplate, TemplateSyntaxError, type Node } from './parse.js';
import { render } from './render.js';

type Part = 'subject' | 'plaintext' | 'html';
/** Kratos's key under `email` and file name under template_override_path for each part. */
const PARTS: Array<{ part: Part; key: string[]; file: string }> = [
  { part: 'subject', key: ['subject'], file: 'email.subject.gotmpl' },
  { part: 'plaintext', key: ['body', 'plaintext'], file: 'email.body.plaintext.gotmpl' },
  { part: 'html', key: ['body', 'html'], file: 'email.body.gotmpl' },
];

export interface TemplateSources {
  /** `courier.templates` as configured. */
  templates?: Record<string, unknown>;
  /** `courier.template_override_path`. */
  overridePath?: string;
}

function readUri(key: string, uri: string): string {
  if (uri.startsWith('base64://')) return Buffer.from(uri.slice('base64://'.length), 'base64').toString('utf8');
  if (uri.startsWith('file://')) {
    try {
      return readFileSync(fileURLToPath(uri), 'utf8');
    } catch (err) {
      throw new ConfigError(`config key "${key}": unable to read ${uri}: ${(err as Error).message}`);
    }
  }
  if (uri.startsWith('http://') || uri.startsWith('https://')) {
    throw new ConfigError(`config key "${key}": http(s) template URLs are not supported by Porta (it makes no network calls); use file:// or base64://`);
  }
  throw new ConfigError(`config key "${key}": unsupported template URL ${JSON.stringify(uri)} (use file:// or base64://)`);
}

function compile(where: string, src: string): Node[] {
  try {
    return parseTemplate(src);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw new ConfigError(`courier template ${where}: ${err.message}`);
    throw err;
  }
}

const dig = (v: unknown, path: string[]): unknown => path.reduce<unknown>((cur, k) => (cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined), v);

/**
 * The compiled templates, loaded once at start-up. Each part resolves on its own, highest first: the
 * `courier.templates...` URI, the file under `template_override_path`, the built-in text. Any template that
 * does not parse stops start-up with a message naming its key or file and the construct.
 */
export class TemplateSet {
  private constructor(private readonly compiled: Map<TemplateType, Record<Part, Node[]>>) {}

  static load(src: TemplateSources = {}): TemplateSet {
    const compiled = new Map<TemplateType, Record<Part, Node[]>>();
    for (const type of Object.keys(BUILTIN_TEMPLATES) as TemplateType[]) {
      const cut = type.lastIndexOf('_');
      const name = type.slice(0, cut);
      const status = type.slice(cut + 1);
      const entry = {} as Record<Part, Node[]>;
      for (const { part, key, file } of PARTS) {
        const uri = dig(src.templates, [name, status, 'email', ...key]);
        const keyName = `courier.templates.${name}.${status}.email.${key.join('.')}`;
        if (uri !== undefined && uri !== '') {
          if (typeof uri !== 'string') throw new ConfigError(`config key "${keyName}" must be a string URL`);
          entry[part] = compile(`${keyName} (${uri.startsWith('base64://') ? 'base64://…' : uri})`, readUri(keyName, uri));
          continue;
        }
        const path = src.overridePath ? join(src.overridePath, name, status, file) : undefined;
        if (path && existsSync(path)) {
          entry[part] = compile(path, readFileSync(path, 'utf8'));
          continue;
        }
        entry[part] = compile(`built-in ${type} ${part}`, BUILTIN_TEMPLATES[type][part]);
      }
      compiled.set(type, entry);
    }
    return new TemplateSet(compiled);
  }

  private get(type: TemplateType): Record<Part, Node[]> {
    const t = this.compiled.get(type);
    if (!t) throw new Error(`unknown courier template ${type}`);
    return t;
  }

  /** Subject (trimmed, as Kratos) and plain-text body, rendered when the message is queued. */
  renderQueued(type: TemplateType, data: Record<string, unknown>): { subject: string; body: string } {
    const t = this.get(type);
    return { subject: render(t.subject, data, false).trim(), body: render(t.plaintext, data, false) };
  }

  /** The HTML alternative, rendered at delivery from the stored model; values are HTML-escaped. */
  renderHtml(type: TemplateType, data: Record<string, unknown>): string {
    return render(this.get(type).html, data, true);
  }
}
