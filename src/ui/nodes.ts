import type { UiNode, UiText } from './kratos.js';

export interface MessageView {
  domId: string;
  id: number;
  text: string;
  type: string;
}

/** One node of a flow, ready for the template: ids, label and the messages tied to it. */
export interface FieldView {
  kind: 'hidden' | 'input' | 'checkbox' | 'submit' | 'text' | 'link' | 'image';
  domId: string;
  name: string;
  type: string;
  value: string;
  checked: boolean;
  required: boolean;
  disabled: boolean;
  autocomplete?: string;
  pattern?: string;
  maxlength?: number;
  label: string;
  href?: string;
  messages: MessageView[];
  /** Space-separated ids of this field's messages (for aria-describedby). */
  describedBy: string;
  invalid: boolean;
  autofocus: boolean;
}

const INPUT_TYPES = new Set(['text', 'password', 'number', 'email', 'tel', 'url', 'date', 'datetime-local']);

function domSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

function stringValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Only http(s) and relative links: a `javascript:` href is never written, whatever the server sends. */
function safeHref(v: string | undefined): string | undefined {
  if (!v) return undefined;
  if (v.startsWith('/') && !v.startsWith('//')) return v;
  return /^https?:\/\//i.test(v) ? v : undefined;
}

function labelOf(node: UiNode): string {
  const a = node.attributes;
  return a.label?.text ?? node.meta?.label?.text ?? a.title?.text ?? a.name ?? '';
}

function messageViews(prefix: string, list: UiText[] | undefined): MessageView[] {
  return (list ?? []).map((m, i) => ({ domId: `${prefix}-msg-${i}`, id: m.id, text: m.text, type: m.type }));
}

function kindOf(node: UiNode): FieldView['kind'] | undefined {
  const a = node.attributes;
  switch (a.node_type) {
    case 'text':
      return 'text';
    case 'a':
      return 'link';
    case 'img':
      return 'image';
    case 'input':
      if (a.type === 'hidden') return 'hidden';
      if (a.type === 'submit' || a.type === 'button') return 'submit';
      if (a.type === 'checkbox') return 'checkbox';
      return 'input';
    default:
      // Script nodes (webauthn and the like) are never rendered: the UI runs without JavaScript.
      return undefined;
  }
}

/**
 * Turns a flow's `ui.nodes` into fields in the server's order. The first field carrying an error gets
 * autofocus, so a keyboard or screen-reader user lands on what needs fixing.
 */
export function fieldViews(nodes: UiNode[]): FieldView[] {
  const out: FieldView[] = [];
  const seen = new Map<string, number>();
  let focused = false;
  for (const node of nodes) {
    const kind = kindOf(node);
    if (!kind) continue;
    const a = node.attributes;
    const name = a.name ?? a.id ?? kind;
    let base = `f-${domSafe(name)}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    if (n > 0) base = `${base}-${n}`;
    const messages = messageViews(base, node.messages);
    const invalid = messages.some((m) => m.type === 'error');
    const focusable = kind === 'input' || kind === 'checkbox';
    const autofocus = invalid && focusable && !focused;
    if (autofocus) focused = true;
    out.push({
      kind,
      domId: base,
      name,
      type: kind === 'input' && !INPUT_TYPES.has(a.type ?? '') ? 'text' : (a.type ?? 'text'),
      value: kind === 'text' ? (a.text?.text ?? '') : kind === 'checkbox' ? 'true' : stringValue(a.value),
      checked: kind === 'checkbox' && (a.value === true || a.value === 'true'),
      required: a.required === true,
      disabled: a.disabled === true,
      autocomplete: a.autocomplete ?? (name === 'identifier' ? 'username' : undefined),
      pattern: a.pattern,
      maxlength: a.maxlength,
      label: labelOf(node),
      href: safeHref(a.href ?? a.src),
      messages,
      describedBy: messages.map((m) => m.domId).join(' '),
      invalid,
      autofocus,
    });
  }
  return out;
}

export function flowMessages(list: UiText[] | undefined): MessageView[] {
  return messageViews('flow', list);
}
