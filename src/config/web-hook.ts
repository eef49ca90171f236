import type { Config } from './config.js';
import { parseDuration } from './duration.js';

/** The client side of every `web_hook` (Kratos's resilient client values, `clients.*` and `porta.web_hook`). */
export interface WebHookClientConfig {
  timeoutMs: number;
  maxRetries: number;
  retryWaitMinMs: number;
  retryWaitMaxMs: number;
  jsonnetTimeoutMs: number;
  jsonnetWorkers: number;
  /** Canonical header names forwarded in `ctx.request_headers`, lower-cased for lookup. */
  headerAllowlist: string[];
  disallowPrivateIpRanges: boolean;
  privateIpExceptionUrls: string[];
}

const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
const dur = (v: unknown, d: string) => parseDuration(typeof v === 'string' ? v : d);
const strings = (v: unknown, d: string[]) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : d);

export function webHookClientConfig(config: Pick<Config, 'get'>): WebHookClientConfig {
  const g = (k: string) => config.get(k);
  return {
    timeoutMs: dur(g('porta.web_hook.timeout'), '30s'),
    maxRetries: num(g('porta.web_hook.max_retries'), 2),
    retryWaitMinMs: dur(g('porta.web_hook.retry_wait_min'), '1s'),
    retryWaitMaxMs: dur(g('porta.web_hook.retry_wait_max'), '30s'),
    jsonnetTimeoutMs: dur(g('porta.web_hook.jsonnet_timeout'), '1s'),
    jsonnetWorkers: num(g('porta.web_hook.jsonnet_workers'), 2),
    headerAllowlist: strings(g('clients.web_hook.header_allowlist'), []).map((h) => h.toLowerCase()),
    disallowPrivateIpRanges: g('clients.http.disallow_private_ip_ranges') === true,
    privateIpExceptionUrls: strings(g('clients.http.private_ip_exception_urls'), []),
  };
}
