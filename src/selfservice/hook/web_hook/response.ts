import { PortaError } from '../../../http/errors.js';
import type { Identity, RecoveryAddress, VerifiableAddress } from '../../../identity/types.js';
import { uiText, type UiText } from '../../../x/text.js';
import { FlowFormError } from '../../flow/errors.js';
import type { Incoming } from './client.js';

const REASON_502 = 'A third-party upstream service responded improperly. Please try again later.';
const REASON_504 = 'A third-party upstream service could not be reached. Please try again later.';

/** herodot's ErrBadGateway as Kratos answers a hook's bad answer (Porta also for exhausted retries, D1/D2). */
export const errBadGateway = (message: string) => new PortaError(502, { reason: REASON_502, message });
/** herodot's ErrGatewayTimeout: the last attempt timed out. */
export const errGatewayTimeout = (message: string) => new PortaError(504, { reason: REASON_504, message });

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJSON(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A JSON pointer (`#/traits/email`) as a UI node name (`traits.email`); `#/` and `""` mean the form. */
export function nodeNameOf(pointer: string): string {
  if (!pointer.startsWith('#/')) return pointer;
  return pointer
    .slice(2)
    .split('/')
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~').replace(/\./g, '\\.'))
    .join('.');
}

/** The receiver's Kratos-format interrupt body as a flow error; null when it carries no message. */
function interruptOf(body: Buffer): FlowFormError | null {
  const parsed = parseJSON(body);
  if (!isObject(parsed) || !Array.isArray(parsed.messages)) return null;
  const form: UiText[] = [];
  const nodes: Array<{ name: string; message: UiText }> = [];
  for (const entry of parsed.messages) {
    if (!isObject(entry) || !Array.isArray(entry.messages)) continue;
    const ptr = typeof entry.instance_ptr === 'string' ? entry.instance_ptr : '';
    const name = ptr === '' || ptr === '#/' ? '' : nodeNameOf(ptr);
    for (const m of entry.messages) {
      if (!isObject(m)) continue;
      const text = uiText(
        typeof m.id === 'number' ? Math.trunc(m.id) : 0,
        typeof m.text === 'string' ? m.text : '',
        m.type === 'error' ? 'error' : 'info',
        isObject(m.context) ? m.context : undefined,
      );
      if (name) nodes.push({ name, message: text });
      else form.push(text);
    }
  }
  return form.length || nodes.length ? new FlowFormError(form, nodes) : null;
}

/**
 * Kratos's response.parse: the answer's `identity` members replace the identity's wholesale when
 * present and non-empty (external_id also clears with ""); anything else (id, credentials) is ignored.
 */
function applyIdentity(identity: Identity, patch: Json): void {
  const nonEmpty = (v: unknown) => v !== undefined && v !== null && !(isObject(v) && Object.keys(v).length === 0) && !(Array.isArray(v) && v.length === 0);
  if (isObject(patch.traits) && nonEmpty(patch.traits)) identity.traits = patch.traits;
  if (typeof patch.schema_id === 'string' && patch.schema_id) identity.schemaId = patch.schema_id;
  if ((patch.state === 'active' || patch.state === 'inactive') && patch.state !== identity.state) identity.state = patch.state;
  if (Array.isArray(patch.verifiable_addresses) && nonEmpty(patch.verifiable_addresses)) {
    identity.verifiableAddresses = patch.verifiable_addresses as VerifiableAddress[];
  }
  if (Array.isArray(patch.recovery_addresses) && nonEmpty(patch.recovery_addresses)) identity.recoveryAddresses = patch.recovery_addresses as RecoveryAddress[];
  if (nonEmpty(patch.metadata_public)) identity.metadataPublic = patch.metadata_public;
  if (nonEmpty(patch.metadata_admin)) identity.metadataAdmin = patch.metadata_admin;
  if ('external_id' in patch) identity.externalId = typeof patch.external_id === 'string' && patch.external_id !== '' ? patch.external_id : null;
}

/**
 * What a final answer means for the flow (Kratos's web_hook response matrix): below 400 is success
 * (with `parse`, a 200 body may change the identity); 400 and above fail with 502, unless the hook
 * may interrupt and the body carries Kratos-format messages, which are rendered into the flow.
 */
export function handleResponse(res: Incoming, opts: { parse: boolean; canInterrupt: boolean; identity?: Identity }): void {
  const interrupts = opts.parse || opts.canInterrupt;
  if (res.status < 400) {
    if (!opts.parse || res.status !== 200) return;
    const parsed = parseJSON(res.body);
    if (parsed === undefined) throw errBadGateway('webhook response could not be unmarshalled properly from JSON');
    if (isObject(parsed) && isObject(parsed.identity) && opts.identity) applyIdentity(opts.identity, parsed.identity);
    return;
  }
  if (!interrupts) throw errBadGateway(`webhook failed with status code ${res.status}`);
  const interrupt = interruptOf(res.body);
  if (!interrupt) throw errBadGateway(`webhook failed with status code ${res.status} and no validation errors`);
  throw interrupt;
}
