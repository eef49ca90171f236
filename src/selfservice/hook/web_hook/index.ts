import type { Logger } from 'pino';
import type { Config } from '../../../config/config.js';
import { PortaError } from '../../../http/errors.js';
import type { Hook, HookContext, HookFactory } from '../types.js';
import { sendWithRetries, UpstreamError } from './client.js';
import { canonicalHeader, parseWebHookConfig, type WebHookConfig } from './config.js';
import { buildCtx, type CtxDeps } from './ctx.js';
import { privateRangeGuard, type Guard } from './guard.js';
import { JsonnetError, JsonnetPool } from './jsonnet/pool.js';
import { BodyEncodingError, buildRequest, CancelHook } from './request.js';
import { errBadGateway, errGatewayTimeout, handleResponse } from './response.js';
import { BodyTemplate } from './template.js';

export interface WebHookDeps {
  config: Config;
  logger: Logger;
  /** The CSRF cookie's name (derived from the public base URL by the CSRF module). */
  csrfCookieName: string;
}

/**
 * The shared parts of every web hook of a server: the outgoing client settings, the private-range
 * guard, and the Jsonnet worker pool (started only when a template is first evaluated or checked).
 */
export class WebHookRuntime {
  readonly pool = new JsonnetPool(2, 1000);
  readonly guard: Guard;
  readonly ctxDeps: CtxDeps;

  constructor(readonly deps: WebHookDeps) {
    const s = deps.config.webHookClient;
    this.guard = privateRangeGuard(s.disallowPrivateIPRanges, s.privateIPExceptionURLs);
    this.ctxDeps = {
      config: deps.config,
      ownCookies: new Set([deps.config.sessionCookie.name, deps.csrfCookieName]),
      headerAllowlist: new Set(s.headerAllowlist.map(canonicalHeader)),
    };
  }

  close(): void {
    this.pool.close();
  }

  /** A remote template, fetched through the same guarded client. */
  async fetchTemplate(url: URL): Promise<string> {
    const res = await sendWithRetries({ url, method: 'GET', headers: [['User-Agent', 'Porta']] }, this.deps.config.webHookClient, this.guard, { analytics: false });
    if (res.status !== 200) throw new Error(`fetching the template ${url.origin}${url.pathname} answered ${res.status}, expected 200`);
    return res.body.toString('utf8');
  }
}

/** Maps a failed call to what the client sees: 504 for a timeout, 502 for any other upstream failure. */
function upstreamError(err: UpstreamError): PortaError {
  return err.kind === 'timeout' ? errGatewayTimeout(err.message) : errBadGateway(err.message);
}

class WebHook implements Hook {
  readonly name = 'web_hook';
  private readonly template?: BodyTemplate;

  constructor(
    private readonly rt: WebHookRuntime,
    private readonly cfg: WebHookConfig,
  ) {
    if (cfg.body !== undefined) this.template = new BodyTemplate(cfg.body, `${cfg.key}.body`, (u) => rt.fetchTemplate(u));
  }

  async prepare(): Promise<void> {
    await this.template?.prepare(this.rt.pool, (msg) => this.rt.deps.logger.warn(msg));
  }

  async execute(ctx: HookContext): Promise<void> {
    const interrupts = this.cfg.parse || this.cfg.canInterrupt;
    // Kratos: hooks that may change or stop the flow run before the identity is stored, the others after.
    if (ctx.stage === 'pre_persist' && !interrupts) return;
    if (ctx.stage === 'post_persist' && interrupts) return;
    const ctxJSON = JSON.stringify(buildCtx(this.rt.ctxDeps, ctx));
    if (this.cfg.ignore) {
      // response.ignore: fire and forget (Kratos's best effort; lost on restart). Failures are only logged.
      void this.call(ctxJSON, ctx).catch((err: unknown) => this.log(err));
      return;
    }
    try {
      await this.call(ctxJSON, ctx);
    } catch (err) {
      this.log(err);
      throw err;
    }
  }

  private async call(ctxJSON: string, ctx: HookContext): Promise<void> {
    let rendered: string | undefined;
    try {
      if (this.template) rendered = await this.rt.pool.evaluate(await this.template.text(), ctxJSON);
    } catch (err) {
      if (err instanceof JsonnetError && !err.timedOut && this.cfg.contentType === 'application/json' && err.message.includes('RUNTIME ERROR: cancel')) return;
      throw new PortaError(500, { cause: err });
    }
    let out;
    try {
      out = buildRequest(this.cfg, rendered);
    } catch (err) {
      if (err instanceof CancelHook) return;
      throw new PortaError(500, { cause: err instanceof BodyEncodingError ? err : new BodyEncodingError(String(err)) });
    }
    let res;
    try {
      res = await sendWithRetries(out, this.rt.deps.config.webHookClient, this.rt.guard, { analytics: this.cfg.emitAnalyticsEvent });
    } catch (err) {
      if (err instanceof UpstreamError) throw upstreamError(err);
      throw err;
    }
    handleResponse(res, { parse: this.cfg.parse, canInterrupt: this.cfg.canInterrupt, identity: ctx.identity });
  }

  private log(err: unknown): void {
    const e = err as Error & { cause?: unknown };
    const detail = e.cause instanceof Error ? e.cause.message : e.message;
    this.rt.deps.logger.warn({ hook: this.cfg.key, url: `${this.cfg.url.origin}${this.cfg.url.pathname}`, error: detail }, 'web hook failed');
  }
}

/** The `web_hook` kind: Kratos's config keys, checked at start-up; logout lists refuse parse/can_interrupt. */
export function webHookFactory(rt: WebHookRuntime): HookFactory {
  return (config, key, where) => new WebHook(rt, parseWebHookConfig(config, key, { logout: where.flow === 'logout' }));
}
