import type { Persister } from '../../src/persistence/types.js';
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
