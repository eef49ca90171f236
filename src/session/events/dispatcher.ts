import type { Logger } from 'pino';
import type { SessionEventReceiver, SessionEventSettings } from '../../config/session-events.js';
import type { ClaimedDelivery, DeliveryOutcome, SessionEventStore } from './store.js';
import { newId } from '../../x/tokens.js';
import { caepClaims, jsonEventPayload, jsonOutgoing, setOutgoing, signSet, verificationClaims, type Outgoing } from './format.js';

const BATCH = 20;
const LEASE_GRACE_MS = 5_000;
const ERROR_BYTES = 1024;

interface Response {
  status: number;
  retryAfterMs?: number;
  body: string;
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^[0-9]{1,9}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The first KiB of a response body, without reading the rest. */
async function head(res: globalThis.Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    while (size < ERROR_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value));
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, ERROR_BYTES).toString('utf8');
}

const RETRYABLE = new Set([408, 425, 429]);

/**
 * The outbox dispatcher of one `porta serve` process (§C.4.4): claims due deliveries under a lease,
 * sends each once per claim, and records the outcome. Several processes may share a database: a lease
 * keeps a delivery with one of them, and a lapsed lease (a crash) makes it due again, so every delivery
 * is sent at least once.
 */
export class SessionEventDispatcher {
  private timer?: NodeJS.Timeout;
  private wakeups = new Set<NodeJS.Timeout>();
  private running = false;
  private current: Promise<void> = Promise.resolve();
  private again = false;
  private stopped = false;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly store: SessionEventStore,
    private readonly settings: SessionEventSettings,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.settings.delivery.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Looks for due deliveries now (after a revocation this process committed, or a retry falls due). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.current = this.drain().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Stops claiming, waits up to `timeout` for sends in flight; unsent work stays leased or pending. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const t of this.wakeups) clearTimeout(t);
    const wait = new Promise((r) => setTimeout(r, this.settings.delivery.timeoutMs).unref());
    await Promise.race([Promise.allSettled([this.current, ...this.inflight]), wait]);
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped) return;
        const now = new Date();
        const claimed = await this.store.claimDue(now, new Date(now.getTime() + this.settings.delivery.timeoutMs + LEASE_GRACE_MS), BATCH);
        await Promise.all(claimed.map((c) => this.track(this.attempt(c))));
        if (claimed.length < BATCH) return;
      }
    } catch (err) {
      this.logger.error({ err }, 'session-event dispatcher: claiming deliveries failed');
    }
  }

  private track(p: Promise<void>): Promise<void> {
    this.inflight.add(p);
    return p.finally(() => this.inflight.delete(p));
  }

  private async attempt(c: ClaimedDelivery): Promise<void> {
    const d = c.delivery;
    const receiver = this.settings.receiver(d.receiverId);
    const started = new Date();
    let outcome: DeliveryOutcome;
    if (!receiver) {
      outcome = { state: 'orphaned', status: null, error: 'the receiver is no longer configured', unsent: true };
    } else if (started.getTime() - d.createdAt.getTime() > this.settings.delivery.maxAgeMs) {
      outcome = { state: 'expired', status: d.lastStatus, error: d.lastError, unsent: true };
    } else {
      outcome = await this.send(receiver, c, started);
    }
    try {
      await this.store.finish(d.id, outcome, new Date());
    } catch (err) {
      // The lease lapses and the delivery is sent again: at least once, never lost.
      this.logger.error({ err, deliveryId: d.id }, 'session-event dispatcher: recording an attempt failed');
      return;
    }
    if (outcome.state === 'pending') this.wakeAt(outcome.nextAttemptAt);
    else if (outcome.state !== 'delivered') this.logger.warn({ deliveryId: d.id, receiverId: d.receiverId, state: outcome.state, status: outcome.status }, 'session event not delivered');
  }

  private async send(receiver: SessionEventReceiver, c: ClaimedDelivery, now: Date): Promise<DeliveryOutcome> {
    let res: Response;
    try {
      res = await this.post(receiver, await this.build(receiver, c, now));
    } catch (err) {
      return this.retry(c, now, null, `transport: ${(err as Error).message}`);
    }
    if (res.status >= 200 && res.status < 300) return { state: 'delivered', status: res.status };
    if (RETRYABLE.has(res.status) || res.status >= 500) return this.retry(c, now, res.status, res.body, res.retryAfterMs);
    return { state: 'failed', status: res.status, error: res.body };
  }

  private async build(receiver: SessionEventReceiver, c: ClaimedDelivery, now: Date): Promise<Outgoing> {
    if (receiver.format === 'caep_set' && this.settings.set) {
      return setOutgoing(receiver, await signSet(this.settings.set, caepClaims(this.settings.set, receiver, c)));
    }
    return jsonOutgoing(receiver, c.event.id, jsonEventPayload(c), c.delivery.attempts, now);
  }

  private async post(receiver: SessionEventReceiver, out: Outgoing): Promise<Response> {
    const res = await fetch(receiver.url, {
      method: 'POST',
      headers: out.headers,
      body: out.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(this.settings.delivery.timeoutMs),
    });
    return { status: res.status, retryAfterMs: retryAfterMs(res.headers.get('retry-after'), Date.now()), body: await head(res) };
  }

  /** Exponential backoff with jitter; a longer Retry-After on 429/503 wins, both capped at max_interval. */
  private retry(c: ClaimedDelivery, now: Date, status: number | null, error: string, retryAfter?: number): DeliveryOutcome {
    const s = this.settings.delivery;
    if (now.getTime() - c.delivery.createdAt.getTime() > s.maxAgeMs) return { state: 'expired', status, error };
    const base = Math.min(s.maxIntervalMs, s.initialIntervalMs * s.multiplier ** Math.max(0, c.delivery.attempts - 1));
    let wait = base * (0.5 + Math.random() / 2);
    if ((status === 429 || status === 503) && retryAfter !== undefined && retryAfter > wait) wait = Math.min(s.maxIntervalMs, retryAfter);
    return { state: 'pending', nextAttemptAt: new Date(now.getTime() + wait), status, error: error.slice(0, ERROR_BYTES) };
  }

  private wakeAt(at: Date): void {
    const delay = at.getTime() - Date.now();
    if (this.stopped || delay >= this.settings.delivery.pollIntervalMs) return;
    const t = setTimeout(() => {
      this.wakeups.delete(t);
      this.kick();
    }, Math.max(0, delay) + 1);
    t.unref();
    this.wakeups.add(t);
  }

  /** SSF §8.1.4 verification (or its json counterpart), sent once, outside the outbox. */
  async verify(receiver: SessionEventReceiver, state: string | undefined): Promise<void> {
    const id = newId();
    const now = new Date();
    const out =
      receiver.format === 'caep_set' && this.settings.set
        ? setOutgoing(receiver, await signSet(this.settings.set, verificationClaims(this.settings.set, receiver, id, state, now)))
        : jsonOutgoing(receiver, id, { id, type: 'verification', ...(state === undefined ? {} : { state }) }, 1, now);
    const res = await this.post(receiver, out);
    this.logger.info({ receiverId: receiver.id, status: res.status }, 'session-event receiver verification sent');
  }
}
