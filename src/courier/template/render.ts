import type { Node } from './parse.js';

/**
 * The template's view of a message: Go field names at the top level (what Kratos templates reference,
 * `.VerificationCode`), mapped to the JSON names under which the model is stored (`verification_code`).
 * Below the top level, keys are map keys used as written (`.Identity.traits.email`).
 */
const GO_NAMES: Record<string, string> = {
  To: 'to',
  VerificationURL: 'verification_url',
  VerificationCode: 'verification_code',
  RecoveryURL: 'recovery_url',
  RecoveryCode: 'recovery_code',
  LoginCode: 'login_code',
  Identity: 'identity',
  RequestURL: 'request_url',
  TransientPayload: 'transient_payload',
  ExpiresInMinutes: 'expires_in_minutes',
};

function lookup(data: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = data;
  path.forEach((part, i) => {
    const key = i === 0 ? (GO_NAMES[part] ?? part) : part;
    cur = cur && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, key) ? (cur as Record<string, unknown>)[key] : undefined;
  });
  return cur;
}

/** Go's template truth: false, 0, nil and empty strings, arrays and maps are false. */
function truthy(v: unknown): boolean {
  if (v == null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function text(v: unknown): string {
  if (v == null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  let out = '';
  for (const c of s) out += HTML_ESCAPES[c] ?? c;
  return out;
}

/** Renders parsed nodes; `html` escapes every substituted value (the template's own text is trusted). */
export function render(nodes: Node[], data: Record<string, unknown>, html: boolean): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'field') {
      const s = text(lookup(data, n.path));
      out += html ? escapeHtml(s) : s;
    } else {
      const hit = n.branches.find((b) => truthy(lookup(data, b.cond)));
      out += render(hit ? hit.body : n.otherwise, data, html);
    }
  }
  return out;
}
