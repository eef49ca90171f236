import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { Identity } from '../../identity/types.js';
import type { Persister } from '../../persistence/types.js';
import type { Session } from '../../session/types.js';
import { HookConfigError, parseWebHookConfig, type WebHookSpec } from './web-hook/config.js';
import { templateContext } from './web-hook/context.js';
import type { WebHookRunner } from './web-hook/run.js';
import { portaCookieNames } from './web-hook/index.js';

export interface LogoutHookDeps {
  config: Config;
  csrf: { cookieName: string };
  logger: Pick<Logger, 'warn' | 'error'>;
  persister: Pick<Persister, 'sessions'>;
}

/** What ended: the session (with its identity when the endpoint already has it). */
export interface EndedByLogout {
  sessionId: string;
  session?: Session;
  identity?: Identity;
}

// Headers that can carry a credential never reach a logout hook, whatever the allowlist says.
const CREDENTIAL_HEADERS = ['cookie', 'authorization', 'x-session-token'];

/** The request URL without the logout token of `GET /self-service/logout?token=`. */
function withoutToken(req: FastifyRequest): FastifyRequest {
  const q = req.url.indexOf('?');
  if (q < 0) return req;
  const params = new URLSearchParams(req.url.slice(q + 1));
  params.delete('token');
  const rest = params.toString();
  return Object.create(req, { url: { value: req.url.slice(0, q) + (rest ? `?${rest}` : '') } }) as FastifyRequest;
}

/**
 * `selfservice.flows.logout.after.hooks` [Porta, spec C.3]: web hooks told that a logout ended an
 * active session. They can change nothing: failures are logged, the logout answers as without them.
 * `ctx` carries no token of any kind (no session token, no logout token, no Porta cookie).
 */
export class LogoutHooks {
  private readonly hidden: ReadonlySet<string>;
  private readonly allowlist: string[];

  constructor(
    readonly hooks: Array<{ spec: WebHookSpec; prepare(): Promise<void> }>,
    private readonly runner: WebHookRunner,
    private readonly deps: LogoutHookDeps,
  ) {
    this.hidden = portaCookieNames(deps);
    this.allowlist = runner.client.headerAllowlist.filter((h) => !CREDENTIAL_HEADERS.includes(h));
  }

  /** Runs the list in order after the revocation committed; never throws. */
  async run(req: FastifyRequest, ended: EndedByLogout, flow: { type: 'browser' | 'api'; return_to: string | null }): Promise<void> {
    try {
      let { session, identity } = ended;
      if (!session || !identity) {
        const row = await this.deps.persister.sessions.getSession(ended.sessionId, { expandIdentity: true });
        if (!row) return;
        const { identity: ident, ...rest } = row;
        session = rest;
        identity = ident;
      }
      const client = { ...this.runner.client, headerAllowlist: this.allowlist };
      const ctx = templateContext({ config: this.deps.config, client, hiddenCookies: this.hidden }, withoutToken(req), {
        flow: { type: flow.type, return_to: flow.return_to },
        identity,
        session: session ? { ...session, active: false } : undefined,
      });
      for (const { spec } of this.hooks) {
        try {
          await this.runner.call(spec, ctx);
        } catch (err) {
          this.deps.logger.warn({ url: spec.url.origin, err: err instanceof Error ? err.message : String(err) }, 'logout web_hook failed');
        }
      }
    } catch (err) {
      this.deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'logout hooks failed');
    }
  }
}

/** Reads the logout hook list once; undefined when none is configured, so the logout paths do no extra work. */
export function buildLogoutHooks(deps: LogoutHookDeps, runner: WebHookRunner): LogoutHooks | undefined {
  const raw = deps.config.get('selfservice.flows.logout.after.hooks');
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const hooks = raw.map((entry: { hook?: string; config?: Record<string, unknown> }, i: number) => {
    const where = `selfservice.flows.logout.after.hooks[${i}]`;
    if (entry.hook !== 'web_hook') throw new Error(`${where}.hook: only web_hook can run after a logout`);
    try {
      const spec = parseWebHookConfig(entry.config ?? {}, { logout: true, warn: (msg) => deps.logger.warn({ where }, msg) });
      return {
        spec,
        prepare: async () => {
          try {
            await runner.prepare(spec);
          } catch (err) {
            throw new Error(`${where}.config.body: the template does not compile: ${(err as Error).message}`, { cause: err });
          }
        },
      };
    } catch (err) {
      if (err instanceof HookConfigError) throw new Error(`${where}.config.${err.key}: ${err.message}`, { cause: err });
      throw err;
    }
  });
  return new LogoutHooks(hooks, runner, deps);
}
