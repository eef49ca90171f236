import { uiText, type UiText } from '../../x/text.js';

/** Kratos's node groups; a method renders into its own group (its id). */
export type NodeGroup = 'default' | 'password' | 'profile' | 'code' | (string & {});
export type InputType = 'text' | 'password' | 'number' | 'checkbox' | 'hidden' | 'email' | 'tel' | 'submit' | 'url' | 'date' | 'datetime-local';

/** Input attributes in Kratos's key order (ui/node/attributes.go). */
export interface InputAttributes {
  name: string;
  type: InputType;
  value?: unknown;
  required?: boolean;
  autocomplete?: string;
  pattern?: string;
  disabled: boolean;
  options?: unknown[];
  maxlength?: number;
  node_type: 'input';
}

export interface UiNode {
  type: 'input';
  group: NodeGroup;
  attributes: InputAttributes;
  messages: UiText[];
  meta: { label?: UiText };
}

export interface UiContainer {
  action: string;
  method: 'POST';
  nodes: UiNode[];
  messages?: UiText[];
}

export interface InputOptions {
  value?: unknown;
  required?: boolean;
  autocomplete?: string;
  pattern?: string;
  options?: unknown[];
  label?: UiText;
  maxlength?: number;
}

export function inputNode(group: NodeGroup, name: string, type: InputType, o: InputOptions = {}): UiNode {
  const attributes: InputAttributes = { name, type } as InputAttributes;
  if (o.value !== undefined) attributes.value = o.value;
  if (o.required) attributes.required = true;
  if (o.autocomplete) attributes.autocomplete = o.autocomplete;
  if (o.pattern) attributes.pattern = o.pattern;
  attributes.disabled = false;
  if (o.options) attributes.options = o.options;
  if (o.maxlength) attributes.maxlength = o.maxlength;
  attributes.node_type = 'input';
  return { type: 'input', group, attributes, messages: [], meta: o.label ? { label: o.label } : {} };
}

export const csrfNode = (value: string): UiNode => inputNode('default', 'csrf_token', 'hidden', { value, required: true });
export const passwordLabel = (): UiText => uiText(1070001, 'Password', 'info');

/** Rebuilds the attributes so that a changed value keeps Kratos's key order. */
function withValue(node: UiNode, value: unknown): void {
  const a = node.attributes;
  node.attributes = inputNode(node.group, a.name, a.type, {
    value,
    required: a.required,
    autocomplete: a.autocomplete,
    pattern: a.pattern,
    options: a.options,
    maxlength: a.maxlength,
  }).attributes;
}

export function findNode(ui: UiContainer, name: string): UiNode | undefined {
  return ui.nodes.find((n) => n.attributes.name === name);
}

export function setValue(ui: UiContainer, name: string, value: unknown): void {
  const n = findNode(ui, name);
  if (n) withValue(n, value);
}

export function unsetValue(ui: UiContainer, name: string): void {
  const n = findNode(ui, name);
  if (n) withValue(n, undefined);
}

/** Clears every message, as Kratos does before rendering a new attempt's errors. */
export function resetMessages(ui: UiContainer): void {
  delete ui.messages;
  for (const n of ui.nodes) n.messages = [];
}

export function addMessage(ui: UiContainer, msg: UiText): void {
  ui.messages = [...(ui.messages ?? []), msg];
}

/** A message for a node; when no node has that name a text node carrying it is appended (container.AddMessage). */
export function addNodeMessage(ui: UiContainer, name: string, msg: UiText): void {
  let n = findNode(ui, name);
  if (!n) {
    n = inputNode('default', name, 'text');
    ui.nodes.push(n);
  }
  n.messages.push(msg);
}

/** Kratos's generic message for a herodot 400 raised inside a flow. */
export function genericMessage(reason: string): UiText {
  return uiText(4000001, reason, 'error', { reason });
}
