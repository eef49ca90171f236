import type { Identity } from '../../../identity/types.js';
import type { UiText } from '../../../x/text.js';
import { FlowFormError } from '../../flow/errors.js';
import { errUpstream } from '../../../http/catalogue/index.js';

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => !!v && typeof v === 'object' && !Array.isArray(v);
const nonEmpty = (v: unknown) => v !== undefined && v !== null && !(isObj(v) && Object.keys(v).length === 0) && !(Array.isArray(v) && v.length === 0);

function parseJSON(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw errUpstream('webhook response could not be unmarshalled properly from JSON');
  }
}

/**
 * `response.parse` on a 200: the answer's `identity` replaces the in-memory identity's fields wholesale
 * where present and non-empty; `external_id` whenever the key is present ("" clears it). Credentials
 * and ids are never taken from a receiver.
 */
export function applyIdentityPatch(identity: Identity, body: Buffer): void {
  if (body.length === 0) return;
  const doc = parseJSON(body);
  if (!isObj(doc) || !isObj(doc.identity)) return;
  const p = doc.identity;
  if (nonEmpty(p.traits) && isObj(p.traits)) identity.traits = p.traits;
  if (typeof p.schema_id === 'string' && p.schema_id) identity.schemaId = p.schema_id;
  if (p.state === 'active' || p.state === 'inactive') identity.state = p.state;
  if (nonEmpty(p.metadata_public)) identity.metadataPublic = p.metadata_public;
  if (nonEmpty(p.metadata_admin)) identity.metadataAdmin = p.metadata_admin;
  if ('external_id' in p) identity.externalId = typeof p.external_id === 'string' && p.external_id !== '' ? p.external_id : null;
}

/** A JSON pointer `#/a/b` as a node name `a.b` (`~1` → `/`, `~0` → `~`, a dot escaped); '' for the form. */
function nodeName(ptr: string): string {
  if (ptr === '' || ptr === '#/' || ptr === '#') return '';
  if (!ptr.startsWith('#/')) return ptr;
  return ptr
    .slice(2)
    .split('/')
    .map((s) => s.split('~1').join('/').split('~0').join('~').split('.').join('\\.'))
    .join('.');
}

/**
 * A 4xx answer of an interrupting hook: its `messages` become the flow's validation errors (Kratos's
 * ParseError); any other body is a broken upstream (502, spec C.2 D2).
 */
export function interruptError(body: Buffer): FlowFormError {
  const doc = parseJSON(body);
  const entries = isObj(doc) && Array.isArray(doc.messages) ? doc.messages : [];
  const form: UiText[] = [];
  const nodes: Array<{ name: string; message: UiText }> = [];
  for (const entry of entries.slice(0, 100)) {
    if (!isObj(entry)) continue;
    const name = nodeName(typeof entry.instance_ptr === 'string' ? entry.instance_ptr : '');
    for (const m of Array.isArray(entry.messages) ? entry.messages.slice(0, 100) : []) {
      if (!isObj(m)) continue;
      const text: UiText = { id: typeof m.id === 'number' ? m.id : 0, text: typeof m.text === 'string' ? m.text : '', type: m.type === 'error' ? 'error' : 'info' };
      if (isObj(m.context)) text.context = m.context;
      if (name) nodes.push({ name, message: text });
      else form.push(text);
    }
  }
  if (form.length === 0 && nodes.length === 0) throw errUpstream('got no validation errors');
  return new FlowFormError(form, nodes);
}
