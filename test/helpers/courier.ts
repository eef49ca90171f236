import assert from 'node:assert/strict';
import type { Persister } from '../../src/persistence/types.js';
import type { TestApp } from './harness.js';
import type { TemplateType } from '../../src/courier/message.js';
import type { TemplateModel } from '../../src/courier/queue.js';
import { Courier } from '../../src/courier/queue.js';
import { TemplateSet } from '../../src/courier/template/load.js';

/**
 * No flow sends mail yet, so tests queue messages the way a flow will: build them with the Courier
 * (templates rendered) and write them through the store.
 */
export async function enqueueMails(
  persister: Persister,
  mails: Array<{ to: string; type?: TemplateType; model?: TemplateModel }>,
  courier = new Courier(TemplateSet.load()),
): Promise<string[]> {
  const messages = mails.map((m) => courier.email(m.type ?? 'verification_code_valid', m.to, m.model ?? { verification_code: '123456', expires_in_minutes: 60 }));
  await persister.courier.enqueue(messages);
  return messages.map((m) => m.id);
}

/** The six-digit code in the newest `type` mail queued for `to`, read as the dev mailbox does (admin courier list). */
export async function latestQueuedCode(t: TestApp, to: string, type: TemplateType): Promise<string> {
  const res = await t.app.admin.inject({ method: 'GET', url: `/admin/courier/messages?recipient=${encodeURIComponent(to)}` });
  const mails = (res.json() as Array<{ body: string; template_type: string; created_at: string }>)
    .filter((m) => m.template_type === type)
    .sort((a, b) => b.created_at.localeCompare(a.created_at));
  const m = mails[0] && /\b(\d{6})\b/.exec(mails[0].body);
  assert.ok(m, `a ${type} mail was queued for ${to}`);
  return m[1];
}
