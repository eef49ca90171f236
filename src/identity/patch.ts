import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { PortaError } from '../http/errors.js';
import { assertJsonDepth } from './body.js';
import { errPatchApply, errPatchUnmarshal } from '../http/catalogue/index.js';

/** Kratos's denied paths; `/**` matches anything below. `from` is checked too, so no move/copy can lift a hash into traits. */
const DENIED = ['/id', '/stateChangedAt', '/credentials', '/credentials/oidc', '/credentials/oidc/**', '/credentials/saml', '/credentials/saml/**'];

function denied(path: string): boolean {
  return DENIED.some((d) => (d.endsWith('/**') ? path.startsWith(d.slice(0, -2)) : path === d));
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Parses the body as an RFC 6902 patch with the error texts Kratos's jsonx.ApplyJSONPatch produces. */
export function parsePatch(raw: Buffer | undefined): Operation[] {
  const text = raw?.length ? raw.toString('utf8') : '';
  if (text.trim() === '') throw errPatchUnmarshal('unexpected end of JSON input');
  let ops: unknown;
  try {
    ops = JSON.parse(text);
  } catch {
    throw errPatchUnmarshal('invalid character in JSON patch');
  }
  assertJsonDepth(ops);
  if (!Array.isArray(ops)) {
    const t = ops === null ? 'null' : typeof ops === 'object' ? 'object' : typeof ops;
    throw errPatchUnmarshal(`json: cannot unmarshal ${t} into Go value of type jsonpatch.Patch`);
  }
  for (const op of ops) {
    if (!op || typeof op !== 'object' || Array.isArray(op)) {
      throw errPatchUnmarshal('json: cannot unmarshal into Go value of type jsonpatch.Operation');
    }
    const o = op as Record<string, unknown>;
    if (typeof o.op !== 'string' || !OPS.has(o.op)) throw errPatchApply(`Unexpected kind: ${String(o.op ?? 'unknown')}`);
    if (typeof o.path !== 'string') throw errPatchApply('operation missing path field');
    for (const p of [o.path, o.from]) {
      if (typeof p === 'string' && denied(p)) throw errPatchApply(`patch includes denied path: ${p}`);
    }
  }
  return ops as Operation[];
}

/** Applies the patch to a copy of `doc`; failures are Kratos's 400 `failed to apply JSON patch`. */
export function applyPatch(doc: Record<string, unknown>, ops: Operation[]): Record<string, unknown> {
  try {
    const out: unknown = jsonpatch.applyPatch(structuredClone(doc), ops, true, true).newDocument;
    // A patch on the root path can replace or remove the whole document.
    if (!out || typeof out !== 'object' || Array.isArray(out)) {
      const t = Array.isArray(out) ? 'array' : out === null || out === undefined ? 'null' : typeof out;
      throw errPatchApply(`json: cannot unmarshal ${t} into Go value of type identity.Identity`);
    }
    return out as Record<string, unknown>;
  } catch (err) {
    if (err instanceof PortaError) throw err;
    const e = err as { name?: string; operation?: { op?: string; path?: string }; message?: string };
    const op = e.operation?.op ?? 'patch';
    const path = e.operation?.path ?? '';
    const message =
      e.name === 'TEST_OPERATION_FAILED'
        ? `testing value ${path} failed: test failed`
        : e.name === 'OPERATION_PATH_UNRESOLVABLE' || e.name === 'OPERATION_FROM_UNRESOLVABLE' || e.name === 'OPERATION_PATH_CANNOT_ADD'
          ? `${op} operation does not apply: doc is missing path: "${path}": missing value`
          : (e.message ?? 'invalid patch').split('\n')[0];
    throw errPatchApply(message);
  }
}
