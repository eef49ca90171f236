import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { WebHookClientConfig } from '../../../config/web-hook.js';

/** Kratos reads at most 5 MiB of a hook's answer. */
const MAX_RESPONSE = 5 * 1024 * 1024;

export interface OutgoingHook {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface HookAnswer {
  status: number;
  body: Buffer;
}

/** Why a delivery failed after its attempts: the last status, a time-out, or a transport error. */
export class DeliveryError extends Error {
  constructor(
    readonly kind: 'status' | 'timeout' | 'transport' | 'refused',
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

// Loopback, private, link-local, CGNAT, unspecified and multicast ranges (ory/x httpx's list and more).
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : undefined;
  if (mapped && isIP(mapped) === 4) return PRIVATE.check(mapped, 'ipv4');
  return PRIVATE.check(address, 'ipv6');
}

/**
 * The resolver the connection itself uses: the address it connects to is the address checked, so a
 * name that resolves differently between a check and the connect (DNS rebinding) cannot pass.
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: false }, (err, address, family) => {
    if (err) return callback(err, '', 0);
    if (isPrivateAddress(address as string)) {
      return callback(Object.assign(new Error(`no route to host: ${hostname} resolves to a private address`), { code: 'EPRIVATE' }), '', 0);
    }
    callback(null, address as string, family as number);
  });
};

function attempt(out: OutgoingHook, guard: boolean, timeoutMs: number): Promise<HookAnswer & { retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const send = out.url.protocol === 'https:' ? httpsRequest : httpRequest;
    // A literal IP in the URL is not resolved, so it is checked here.
    const host = out.url.hostname.replace(/^\[|\]$/g, '');
    if (guard && isIP(host) && isPrivateAddress(host)) {
      return reject(new DeliveryError('refused', `no route to host: ${host} is a private address`));
    }
    const headers = { ...out.headers, ...(out.body ? { 'content-length': String(out.body.length) } : {}) };
    const req = send(out.url, { method: out.method, headers, lookup: guard ? guardedLookup : undefined, agent: false }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_RESPONSE) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), retryAfter: res.headers['retry-after'] }));
      res.on('error', (e) => reject(new DeliveryError('transport', e.message)));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new DeliveryError('timeout', `no answer within ${timeoutMs} ms`)));
    req.on('error', (e: Error & { code?: string }) => {
      if (e instanceof DeliveryError) reject(e);
      else if (e.code === 'EPRIVATE') reject(new DeliveryError('refused', e.message));
      else reject(new DeliveryError('transport', e.message));
    });
    req.end(out.body);
  });
}

/** go-retryablehttp's policy: 429 and 5xx except 501 are retried, and transport errors. */
const retryable = (status: number) => status === 429 || (status >= 500 && status !== 501);

/** Retry-After as seconds or an HTTP date; Porta caps it at retry_wait_max (spec C.2 D3). */
function retryAfterMs(v: string | undefined): number | undefined {
  if (!v) return undefined;
  if (/^[0-9]{1,10}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Sends one hook execution with Kratos's resilient client: up to 1 + max_retries attempts, each with
 * its own `Ory-Webhook-Request-ID` and the execution's `Ory-Webhook-Trigger-ID`, exponential backoff.
 * Resolves with a final non-retryable answer; throws DeliveryError when the attempts run out.
 */
export async function deliver(out: OutgoingHook, client: WebHookClientConfig): Promise<HookAnswer> {
  const guard = client.disallowPrivateIpRanges && !client.privateIpExceptionUrls.includes(out.url.href);
  const trigger = randomUUID();
  let last: DeliveryError = new DeliveryError('transport', 'not sent');
  for (let n = 0; n <= client.maxRetries; n++) {
    const headers = { ...out.headers, 'ory-webhook-request-id': randomUUID(), 'ory-webhook-trigger-id': trigger };
    let wait = Math.min(client.retryWaitMinMs * 2 ** n, client.retryWaitMaxMs);
    try {
      const answer = await attempt({ ...out, headers }, guard, client.timeoutMs);
      if (!retryable(answer.status)) return answer;
      last = new DeliveryError('status', `${out.method} ${out.url.href} giving up after ${n + 1} attempt(s): status ${answer.status}`, answer.status);
      const ra = answer.status === 429 || answer.status === 503 ? retryAfterMs(answer.retryAfter) : undefined;
      if (ra !== undefined) wait = Math.min(ra, client.retryWaitMaxMs);
    } catch (err) {
      if (!(err instanceof DeliveryError) || err.kind === 'refused') throw err;
      last = err;
    }
    if (n < client.maxRetries) await sleep(wait);
  }
  throw last;
}
