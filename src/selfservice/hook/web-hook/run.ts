import type { Logger } from 'pino';
import type { WebHookClientConfig } from '../../../config/web-hook.js';
import type { Identity } from '../../../identity/types.js';
import { VERSION } from '../../../version.js';
import type { WebHookSpec } from './config.js';
import type { TemplateContext } from './context.js';
import { deliver, DeliveryError, type OutgoingHook } from './deliver.js';
import type { JsonnetPool } from './jsonnet-pool.js';
import { applyIdentityPatch, interruptError } from './response.js';
import { errUpstream, errUpstreamTimeout, errWebHookTemplate } from '../../../http/catalogue/index.js';

/** What a hook execution may change: the identity a parse hook patches (pre-persist only). */
export interface CallOptions {
  identity?: Identity;
}

/** Jsonnet `error "cancel"` means "send nothing" (Kratos's builder). */
const isCancel = (err: unknown) => err instanceof Error && err.message.includes('RUNTIME ERROR: cancel');

/** Form encoding: the template must yield an object of strings; keys sorted as Go's url.Values.Encode. */
function formBody(json: string): Buffer {
  const doc = JSON.parse(json) as unknown;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('form template must yield an object');
  const params = new URLSearchParams();
  for (const k of Object.keys(doc).sort()) {
    const v = (doc as Record<string, unknown>)[k];
    if (typeof v !== 'string') throw new Error(`form template value of ${k} is not a string`);
    params.append(k, v);
  }
  return Buffer.from(params.toString());
}

/**
 * Runs `web_hook` executions: the template in the Jsonnet pool, the request through the resilient
 * client, the answer per Kratos's matrix (spec A.7) with Porta's 502s for broken upstreams.
 */
export class WebHookRunner {
  constructor(
    private readonly pool: JsonnetPool,
    readonly client: WebHookClientConfig,
    private readonly logger: Pick<Logger, 'warn' | 'error'>,
  ) {}

  /** Start-up: a template that does not compile stops the server (spec C.2 D4). */
  async prepare(spec: WebHookSpec): Promise<void> {
    if (spec.template !== undefined) await this.pool.check(spec.template);
  }

  /** Builds the request; undefined when the template cancelled it. */
  private async build(spec: WebHookSpec, ctx: TemplateContext): Promise<OutgoingHook | undefined> {
    const headers: Record<string, string> = { 'user-agent': `Porta/${VERSION}` };
    for (const [k, v] of Object.entries(spec.headers)) headers[k.toLowerCase()] = v;
    headers['content-type'] = spec.contentType;
    if (spec.auth?.type === 'api_key') {
      if (spec.auth.in === 'cookie') headers.cookie = `${spec.auth.name}=${spec.auth.value}`;
      else headers[spec.auth.name.toLowerCase()] = spec.auth.value;
    } else if (spec.auth?.type === 'basic_auth') {
      headers.authorization = `Basic ${Buffer.from(`${spec.auth.user}:${spec.auth.password}`).toString('base64')}`;
    }
    if (spec.method === 'TRACE' || spec.template === undefined) return { method: spec.method, url: spec.url, headers };
    const out = await this.pool.evaluate(spec.template, JSON.stringify(ctx));
    const body = spec.contentType === 'application/json' ? Buffer.from(out) : formBody(out);
    return { method: spec.method, url: spec.url, headers, body };
  }

  /** One execution. Throws Porta's errors for the flow; with `ignore` it returns at once and only logs. */
  async call(spec: WebHookSpec, ctx: TemplateContext, opts: CallOptions = {}): Promise<void> {
    let out: OutgoingHook | undefined;
    try {
      out = await this.build(spec, ctx);
    } catch (err) {
      if (isCancel(err)) return;
      this.logger.error({ hook: spec.id, url: spec.url.origin, err: err instanceof Error ? err.message : String(err) }, 'web_hook template failed');
      if (spec.ignore) return;
      throw errWebHookTemplate();
    }
    if (!out) return;
    if (spec.ignore) {
      const send = out;
      void deliver(send, this.client).then(
        (a) => a.status >= 400 && this.logger.warn({ hook: spec.id, url: spec.url.origin, status: a.status }, 'web_hook (ignored) answered with an error'),
        (err: Error) => this.logger.warn({ hook: spec.id, url: spec.url.origin, err: err.message }, 'web_hook (ignored) failed'),
      );
      return;
    }
    let answer;
    try {
      answer = await deliver(out, this.client);
    } catch (err) {
      if (err instanceof DeliveryError) {
        this.logger.warn({ hook: spec.id, url: spec.url.origin, err: err.message }, 'web_hook failed');
        if (err.kind === 'timeout') throw errUpstreamTimeout(err.message);
        throw errUpstream(err.message);
      }
      throw err;
    }
    const interrupts = spec.parse || spec.canInterrupt;
    if (answer.status >= 400) {
      if (interrupts) throw interruptError(answer.body);
      throw errUpstream(`webhook failed with status code ${answer.status}`);
    }
    if (spec.parse && answer.status === 200 && opts.identity) applyIdentityPatch(opts.identity, answer.body);
  }
}
