/**
 * Kratos's courier message (courier/message.go): a durable outgoing email. Subject and plain-text body are
 * rendered when the message is queued; the HTML body is rendered at delivery from `templateData`.
 */
export const MESSAGE_STATUSES = ['queued', 'sent', 'processing', 'abandoned'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export type TemplateType =
  | 'verification_code_valid'
  | 'verification_code_invalid'
  | 'recovery_code_valid'
  | 'recovery_code_invalid'
  | 'login_code_valid';

export interface CourierDispatch {
  id: string;
  messageId: string;
  status: 'failed' | 'success';
  /** herodot-shaped error of a failed attempt. */
  error: Record<string, unknown> | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CourierMessage {
  id: string;
  status: MessageStatus;
  type: 'email';
  channel: 'email';
  recipient: string;
  subject: string;
  body: string;
  templateType: TemplateType;
  /** The template model under its JSON names (§7.5), kept to render the HTML body at delivery. */
  templateData: Record<string, unknown>;
  sendCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What a producer hands to the store; the store fills status, counters and timestamps. */
export type NewCourierMessage = Pick<CourierMessage, 'id' | 'recipient' | 'subject' | 'body' | 'templateType' | 'templateData'>;

/** A message claimed by one worker: `claimToken` proves the lease is still that worker's when it reports back. */
export interface ClaimedMessage extends CourierMessage {
  claimToken: string;
}

const REDACTED = '<redacted-unless-dev-mode>';

/** The wire shape (OpenAPI `message`); subject and body are redacted unless dev mode, as in Kratos. */
export function messageToJSON(m: CourierMessage, opts: { dev: boolean; dispatches?: CourierDispatch[] }): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: m.id,
    status: m.status,
    type: m.type,
    recipient: m.recipient,
    body: opts.dev ? m.body : REDACTED,
    subject: opts.dev ? m.subject : REDACTED,
    template_type: m.templateType,
    channel: m.channel,
    send_count: m.sendCount,
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
  };
  if (opts.dispatches) {
    out.dispatches = opts.dispatches.map((d) => {
      const j: Record<string, unknown> = { id: d.id, message_id: d.messageId, status: d.status };
      if (d.error) j.error = d.error;
      j.created_at = d.createdAt.toISOString();
      j.updated_at = d.updatedAt.toISOString();
      return j;
    });
  }
  return out;
}
