// The Kratos JSON shapes the UI reads, as an external UI sees them on the wire (kratos-openapi.json).
// Only the fields the pages use are typed; everything else is ignored.

export interface UiText {
  id: number;
  text: string;
  type: 'info' | 'error' | 'success' | string;
  context?: Record<string, unknown>;
}

export interface UiNodeAttributes {
  node_type: 'input' | 'text' | 'a' | 'img' | 'script' | string;
  name?: string;
  type?: string;
  value?: unknown;
  required?: boolean;
  disabled?: boolean;
  autocomplete?: string;
  pattern?: string;
  maxlength?: number;
  label?: UiText;
  id?: string;
  text?: UiText;
  href?: string;
  title?: UiText;
  src?: string;
  width?: number;
  height?: number;
}

export interface UiNode {
  type: string;
  group: string;
  attributes: UiNodeAttributes;
  messages: UiText[];
  meta: { label?: UiText };
}

export interface UiContainer {
  action: string;
  method: string;
  nodes: UiNode[];
  messages?: UiText[];
}

export interface SelfServiceFlow {
  id: string;
  type: string;
  return_to?: string;
  refresh?: boolean;
  ui: UiContainer;
}

export interface Identity {
  id: string;
  schema_id: string;
  traits: Record<string, unknown> | null;
  created_at?: string;
  verifiable_addresses?: { value: string; via: string; verified: boolean; status?: string; verified_at?: string | null }[] | null;
}

export interface SessionDevice {
  id: string;
  ip_address?: string | null;
  user_agent?: string | null;
  location?: string | null;
}

export interface Session {
  id: string;
  active?: boolean;
  expires_at?: string;
  authenticated_at?: string;
  issued_at?: string;
  authenticator_assurance_level?: string;
  authentication_methods?: { method?: string; aal?: string; completed_at?: string }[] | null;
  identity?: Identity | null;
  devices?: SessionDevice[] | null;
}

export interface GenericError {
  id?: string;
  code?: number;
  status?: string;
  reason?: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface ErrorBody {
  error: GenericError;
}

export interface FlowError {
  id: string;
  error: GenericError;
  created_at?: string;
}

export interface LogoutFlow {
  logout_url: string;
  logout_token: string;
}

export function isErrorBody(v: unknown): v is ErrorBody {
  return typeof v === 'object' && v !== null && typeof (v as ErrorBody).error === 'object' && (v as ErrorBody).error !== null;
}
