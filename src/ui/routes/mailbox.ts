import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CourierStore } from '../../courier/store.js';
import { renderPage, type UiContext } from '../context.js';
import { timeView } from '../format.js';

// A page, not an archive: the newest messages are what a person running `npm start` is looking for.
const SHOWN = 50;

/**
 * GET /ui/dev/mailbox (registered in dev mode only): the messages the courier holds, newest first, read
 * from the courier's store, so a person without an SMTP server can read their code. Every body is shown
 * to whoever reaches the page, which is why it does not exist outside dev mode.
 */
export function mailboxPage(ctx: UiContext, store: CourierStore) {
  return async (_req: FastifyRequest, reply: FastifyReply) => {
    const rows = await store.listMessages({ limit: SHOWN });
    const messages = rows.map((m, i) => ({
      domId: `mail-${i}`,
      id: m.id,
      recipient: m.recipient,
      subject: m.subject,
      status: m.status,
      time: timeView(m.createdAt.toISOString()),
      body: m.body,
    }));
    return renderPage(ctx, reply, 'mailbox', { title: 'Dev mailbox', messages, limit: SHOWN });
  };
}
