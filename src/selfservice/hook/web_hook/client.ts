import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomUUID } from 'node:crypto';
import type { WebHookClientSettings } from '../../../config/config.js';
import { PrivateAddressError, type Guard } from './guard.js';

const MAX_RESPONSE_BYTES = 5 * 1024 * 1024; // Kratos reads at most 5 MiB of a hook's answer.

export interface Outgoing {
  url: URL;
  method: string;
  headers: Array<[string, string]>;
  body?: Buffer;
}

export interface Incoming {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The hook could not get a usable answer: the last attempt timed out, failed, or kept answering 429/5xx. */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'transport' | 'status' | 'refused',
    readonly status?: number,
  ) {
    super(message);
  }
}

class AttemptTimeout extends Error {}

/** One exchange with a whole-exchange timeout; the answer is read up to 5 MiB. */
function sendOnce(out: Outgoing, timeoutMs: number, guard: Guard, extra: Array<[string, string]>): Promise<Incoming> {
  return new Promise((resolve, reject) => {
    try {
      guard.checkLiteral(out.url);
    } catch (err) {
      return reject(err);
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of [...out.headers, ...extra]) headers[k] = v;
    if (out.body) headers['Content-Length'] = String(out.body.length);
    const send = out.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const lookup = guard.lookup(out.url);
    const req = send(out.url, { method: out.method, headers, ...(lookup ? { lookup } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size >= MAX_RESPONSE_BYTES) return;
        chunks.push(c.subarray(0, MAX_RESPONSE_BYTES - size));
        size += c.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const timer = setTimeout(() => req.destroy(new AttemptTimeout(`timed out after ${timeoutMs}ms`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(out.body);
  });
}

const retryableStatus = (s: number) => s === 429 || (s >= 500 && s !== 501);

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^[0-9]{1,9}$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * go-retryablehttp as Kratos configures it: 1 + max_retries attempts; transport errors, 429 and 5xx
 * (but 501) are retried after retry_wait_min × 2^n (capped at retry_wait_max), or after a 429/503's
 * Retry-After, which Porta caps at retry_wait_max too (D3). Each attempt carries a new
 * Ory-Webhook-Request-ID; all share the trigger id. Any other status is the answer.
 */
export async function sendWithRetries(out: Outgoing, s: WebHookClientSettings, guard: Guard, opts: { analytics: boolean }): Promise<Incoming> {
  const trigger = randomUUID();
  const attempts = s.maxRetries + 1;
  let last: UpstreamError = new UpstreamError('no attempt was made', 'transport');
  for (let n = 0; n < attempts; n++) {
    let wait = Math.min(s.retryWaitMinMs * 2 ** n, s.retryWaitMaxMs);
    const extra: Array<[string, string]> = opts.analytics ? [['Ory-Webhook-Request-ID', randomUUID()], ['Ory-Webhook-Trigger-ID', trigger]] : [];
    try {
      const res = await sendOnce(out, s.timeoutMs, guard, extra);
      if (!retryableStatus(res.status)) return res;
      last = new UpstreamError(`${out.method} ${out.url.origin}${out.url.pathname} answered ${res.status}`, 'status', res.status);
      if (res.status === 429 || res.status === 503) {
        const after = retryAfterMs(res.headers['retry-after']);
        if (after !== undefined) wait = Math.min(after, s.retryWaitMaxMs);
      }
    } catch (err) {
      // A refused private address can never succeed: no retry.
      if (err instanceof PrivateAddressError) throw new UpstreamError(err.message, 'refused');
      last = new UpstreamError(`${out.method} ${out.url.origin}${out.url.pathname}: ${(err as Error).message}`, err instanceof AttemptTimeout ? 'timeout' : 'transport');
    }
    if (n < attempts - 1) await sleep(wait);
  }
  throw new UpstreamError(`${last.message} (giving up after ${attempts} attempt(s))`, last.kind, last.status);
}
