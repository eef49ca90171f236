/** A Kratos UI text (uiText): message ids and texts are part of the wire contract. */
export interface UiText {
  id: number;
  text: string;
  type: 'info' | 'error' | 'success';
  /** Keys in alphabetical order, as Go marshals a map. */
  context?: Record<string, unknown>;
}

export function uiText(id: number, text: string, type: UiText['type'], context?: Record<string, unknown>): UiText {
  if (!context) return { id, text, type };
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(context).sort()) sorted[k] = context[k];
  return { id, text, type, context: sorted };
}
