import { uiText, type UiText } from '../../x/text.js';
import { inputNode, type InputType, type UiNode } from './ui.js';
import type { LeafType } from './decode.js';

type Json = Record<string, unknown>;

/** One leaf of the identity schema's traits, in schema order. */
export interface TraitLeaf {
  /** Dotted form name, e.g. `traits.email`. */
  name: string;
  schema: Json;
  required: boolean;
  type: LeafType;
}

function resolve(root: Json, node: unknown, depth = 0): Json {
  const n = (node ?? {}) as Json;
  const ref = n.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/') && depth < 16) {
    let cur: unknown = root;
    for (const part of ref.slice(2).split('/')) cur = (cur as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    return resolve(root, cur, depth + 1);
  }
  return n;
}

function typeOfSchema(s: Json): LeafType {
  const t = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  if (t === 'string' || t === 'number' || t === 'integer' || t === 'boolean' || t === 'array' || t === 'object') return t;
  return 'unknown';
}

/** The traits' leaves (objects are walked, not rendered), as Kratos's NodesFromJSONSchema lists them. */
export function traitLeaves(schema: Json): TraitLeaf[] {
  const out: TraitLeaf[] = [];
  const walk = (node: Json, prefix: string, depth: number) => {
    const props = (node.properties ?? {}) as Json;
    const required = Array.isArray(node.required) ? (node.required as string[]) : [];
    for (const [key, raw] of Object.entries(props)) {
      const s = resolve(schema, raw);
      const name = `${prefix}.${key}`;
      const type = typeOfSchema(s);
      if (type === 'object' && depth < 16) walk(s, name, depth + 1);
      else out.push({ name, schema: s, required: required.includes(key), type });
    }
  };
  const traits = resolve(schema, (schema.properties as Json | undefined)?.traits);
  walk(traits, 'traits', 0);
  return out;
}

export function leafTypeLookup(schema: Json): (path: string) => LeafType | undefined {
  const map = new Map(traitLeaves(schema).map((l) => [l.name, l.type]));
  return (path) => map.get(path);
}

function isPasswordIdentifier(s: Json): boolean {
  const ext = s['ory.sh/kratos'] as Json | undefined;
  const creds = ext?.credentials as Record<string, Json> | undefined;
  return Boolean(creds && Object.values(creds).some((c) => c && c.identifier === true));
}

/** login.GetIdentifierLabelFromSchema: the title of the single identifier trait, else "ID". */
export function identifierLabel(schema: Json): UiText {
  const ids = traitLeaves(schema).filter((l) => isPasswordIdentifier(l.schema));
  const title = ids.length === 1 ? ids[0].schema.title : undefined;
  if (typeof title === 'string' && title !== '') return uiText(1070002, title, 'info', { name: ids[0].name, title });
  return uiText(1070004, 'ID', 'info');
}

const FORMAT_TYPES: Record<string, { type: InputType; autocomplete?: string }> = {
  email: { type: 'email', autocomplete: 'email' },
  uri: { type: 'url', autocomplete: 'url' },
  tel: { type: 'tel' },
  date: { type: 'date' },
  'date-time': { type: 'datetime-local' },
};

/** One registration input per trait leaf (NewInputFieldFromSchema). */
export function traitNodes(schema: Json): UiNode[] {
  return traitLeaves(schema).map((leaf) => {
    const s = leaf.schema;
    let type: InputType = leaf.type === 'number' || leaf.type === 'integer' ? 'number' : leaf.type === 'boolean' ? 'checkbox' : 'text';
    let autocomplete: string | undefined;
    const fmt = typeof s.format === 'string' ? FORMAT_TYPES[s.format] : undefined;
    if (fmt) {
      type = fmt.type;
      autocomplete = fmt.autocomplete;
    }
    const title = typeof s.title === 'string' && s.title !== '' ? s.title : undefined;
    return inputNode('default', leaf.name, type, {
      required: leaf.required,
      autocomplete,
      pattern: typeof s.pattern === 'string' ? s.pattern : undefined,
      options: Array.isArray(s.enum) ? s.enum : undefined,
      label: title ? uiText(1070002, title, 'info', { name: leaf.name, title }) : undefined,
    });
  });
}
