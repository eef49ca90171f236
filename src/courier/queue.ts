import { randomUUID } from 'node:crypto';
import type { NewCourierMessage, TemplateType } from './message.js';
import type { TemplateSet } from './template/load.js';

/** The template model under Kratos's JSON names (§7.5); `to` is filled from the recipient. */
export interface TemplateModel {
  verification_code?: string;
  verification_url?: string;
  recovery_code?: string;
  login_code?: string;
  identity?: Record<string, unknown>;
  request_url?: string;
  transient_payload?: Record<string, unknown>;
  expires_in_minutes?: number;
}

export class InvalidRecipientError extends Error {
  constructor() {
    super('courier: email recipient is not a valid email address');
  }
}

const MAX_ADDRESS = 320;

/** A loose address check, one pass, no regex: local@domain, no spaces or control characters, domain with a dot-free-or-dotted label set. */
export function isEmailAddress(s: string): boolean {
  if (s.length < 3 || s.length > MAX_ADDRESS) return false;
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return false;
  for (const c of s) {
    const cp = c.codePointAt(0) as number;
    if (cp <= 0x20 || cp === 0x7f || c === '<' || c === '>' || c === ',' || c === ';') return false;
  }
  const domain = s.slice(at + 1);
  return !domain.startsWith('.') && !domain.endsWith('.') && !domain.includes('..') && !domain.includes('@');
}

/**
 * Builds queued emails: renders subject and plain text now (as Kratos; the HTML is rendered at delivery) and
 * returns rows for CourierStore.enqueue or a flow's own transaction (see CourierStore).
 */
export class Courier {
  constructor(readonly templates: TemplateSet) {}

  email(type: TemplateType, to: string, model: TemplateModel): NewCourierMessage {
    if (!isEmailAddress(to)) throw new InvalidRecipientError();
    const data: Record<string, unknown> = { ...model, to };
    const { subject, body } = this.templates.renderQueued(type, data);
    return { id: randomUUID(), recipient: to, subject, body, templateType: type, templateData: data };
  }
}
