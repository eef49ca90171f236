import type { Logger } from 'pino';
import type { CourierSettings } from '../config/courier.js';
import type { ClaimedMessage } from './message.js';
import type { CourierStore, DeliveryOutcome } from './store.js';
import type { TemplateSet } from './template/load.js';
import { DeliveryError } from './smtp.js';
import type { Sender } from './sender.js';

export type { Sender } from './sender.js';

export interface WorkerDeps {
  store: CourierStore;
  templates: TemplateSet;
  settings: CourierSettings;
  sender: Sender;
  logger: Logger;
}

const MAX_BACKOFF_MS = 10 * 60_000;
const MAX_ROUND_BACKOFF_MS = 30_000;

const smtpError = (reason: string) => ({ code: 500, status: 'Internal Server Error', reason, message: 'failed to send email via smtp' });

/**
 * The courier's delivery loop. Each round claims up to `worker.pull_count` due messages (a claim is a lease,
 * so a message held by a worker that died becomes due again when the lease ends) and delivers them one by
 * one. A message gets at most `message_retries + 1` attempts (send_count counts claims, so crashes count
 * too); a failed attempt waits `pull_wait * 2^(attempt-1)` (capped at 10 min) before the next; an SMTP 5xx
 * abandons at once. A full batch starts the next round at once; otherwise the loop sleeps `pull_wait`.
 */
export class CourierWorker {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(private readonly d: WorkerDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the message in hand, then stops; nothing is left `processing` by a clean stop. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.d.sender.close();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.runOnce();
        failures = 0;
      } catch (err) {
        failures++;
        this.d.logger.error({ err: (err as Error).message }, 'courier round failed');
      }
      if (claimed === this.d.settings.pullCount && failures === 0) continue;
      const wait = failures ? Math.min(this.d.settings.pullWaitMs * 2 ** failures, MAX_ROUND_BACKOFF_MS) : this.d.settings.pullWaitMs;
      await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** One round: claim a batch and deliver it. Returns how many messages were claimed. */
  async runOnce(): Promise<number> {
    const { store, settings } = this.d;
    const batch = await store.claim({ limit: settings.pullCount, leaseMs: settings.claimLeaseMs });
    for (const m of batch) {
      // After stop() the rest of the batch is handed back at once instead of waiting for the lease to end.
      if (!this.running && this.loop) {
        await store.complete(m, { kind: 'release' });
        continue;
      }
      await this.deliver(m);
    }
    return batch.length;
  }

  private async deliver(m: ClaimedMessage): Promise<void> {
    const { store, settings, logger } = this.d;
    const maxAttempts = settings.messageRetries + 1;
    let outcome: DeliveryOutcome;
    if (m.sendCount > maxAttempts) {
      // Only reachable when earlier attempts died with their worker (each claim counts).
      outcome = { kind: 'abandon', error: smtpError('the message exceeded courier.message_retries') };
    } else {
      try {
        await this.d.sender.send({ id: m.id, to: m.recipient, subject: m.subject, text: m.body, html: this.html(m) });
        outcome = { kind: 'sent' };
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        const permanent = err instanceof DeliveryError && err.permanent;
        if (permanent || m.sendCount >= maxAttempts) outcome = { kind: 'abandon', error: smtpError(reason) };
        else {
          const backoff = Math.min(settings.pullWaitMs * 2 ** (m.sendCount - 1), MAX_BACKOFF_MS);
          outcome = { kind: 'retry', error: smtpError(reason), notBefore: new Date(Date.now() + backoff) };
        }
      }
    }
    const applied = await store.complete(m, outcome);
    // Message ids only: recipients and contents are personal data and stay out of the logs.
    if (!applied) logger.warn({ message_id: m.id }, 'courier lost the claim on a message (its lease ended); another worker owns it now');
    else if (outcome.kind === 'sent') logger.debug({ message_id: m.id }, 'courier sent a message');
    else logger.warn({ message_id: m.id, outcome: outcome.kind, send_count: m.sendCount }, 'courier could not send a message');
  }

  /** The HTML alternative; a template that fails to render leaves the mail plain text only, as in Kratos. */
  private html(m: ClaimedMessage): string | undefined {
    try {
      return this.d.templates.renderHtml(m.templateType, m.templateData);
    } catch {
      return undefined;
    }
  }
}
