import type { CourierSettings } from '../config/courier.js';
import { SmtpSender, type OutgoingMail } from './smtp.js';

export interface Sender {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** The path of the dev mailbox page (built-in UI, dev mode only), where DevMailboxSender's messages are read. */
export const DEV_MAILBOX_PATH = '/ui/dev/mailbox';

/**
 * Dev mode without SMTP: "delivery" is the message row itself, which the dev mailbox page reads. Marking it
 * sent without touching the network keeps it from waiting in `queued` or retrying against no server.
 */
export class DevMailboxSender implements Sender {
  readonly devMailbox = true;
  async send(): Promise<void> {}
  close(): void {}
}

export class NoSmtpError extends Error {
  constructor() {
    super('the courier needs config key "courier.smtp.connection_uri" to deliver mail');
  }
}

/**
 * The one place a delivery channel is chosen: SMTP when `courier.smtp.connection_uri` is set; the dev
 * mailbox only in dev mode without it; otherwise none (outside dev mode Porta never pretends to send).
 */
export function createSender(opts: { dev: boolean; settings: CourierSettings }): Sender {
  const { settings } = opts;
  if (settings.smtp.connectionURI) {
    // The socket timeout stays well inside the claim lease, so a live worker finishes before its claim ends.
    return new SmtpSender(settings.smtp, Math.min(30_000, Math.floor(settings.claimLeaseMs / 3)));
  }
  if (opts.dev) return new DevMailboxSender();
  throw new NoSmtpError();
}
