import type { Config } from '../../config/config.js';
import type { Hook, HookContext, HookFactory } from './types.js';
import { HookConfigError } from './web-hook/config.js';

type Warn = { warn(obj: object, msg: string): void };
type Phase = 'before' | 'after';

// Hook names a Kratos configuration may hold that Porta does not run: warned about and ignored. Any
// other unknown name would make Kratos refuse the file, so it stops start-up (spec C.2).
const KRATOS_HOOKS = new Set([
  'session',
  'revoke_active_sessions',
  'require_verified_address',
  'web_hook',
  'verification',
  'show_verification_ui',
  'verify_new_address',
  'notify_previous_addresses',
  'b2b_sso',
  'organization',
]);

// Registration and settings split their after-hooks around the store (Kratos's pre-/post-persist).
const SPLIT = new Set(['registration', 'settings']);

/** Where a hook list lives in the configuration, for messages that name the key. */
const keyOf = (flow: string, phase: Phase, method?: string) => `selfservice.flows.${flow}.${phase}${method ? `.${method}` : ''}.hooks`;

/**
 * The hook kinds Porta knows and the lists configured per flow, phase and method, resolved once per
 * list with Kratos's rules (method list, else the flow-wide list; `session` last).
 */
export class HookRegistry {
  private readonly cache = new Map<string, Hook[]>();

  constructor(
    private readonly config: Config,
    private readonly kinds: ReadonlyMap<string, HookFactory>,
    private readonly logger: Warn,
  ) {}

  /**
   * The hooks of `selfservice.flows.<flow>.<phase>` for a method: the method's own list when it yields
   * any hook, the flow-wide list otherwise; unknown names are logged and skipped; `session` runs last.
   */
  list(flow: string, phase: Phase, method?: string): Hook[] {
    const key = `${flow}.${phase}.${method ?? ''}`;
    let hooks = this.cache.get(key);
    if (!hooks) {
      hooks = method ? this.build(flow, phase, method) : [];
      if (hooks.length === 0) hooks = this.build(flow, phase);
      hooks.sort((a, b) => Number(a.name === 'session') - Number(b.name === 'session'));
      this.cache.set(key, hooks);
    }
    return hooks;
  }

  /**
   * Runs the list in order; the first hook that throws aborts the rest. After registration and
   * settings, hooks that ran before the store (`prePersist`) are skipped.
   */
  async run(flow: string, phase: Phase, ctx: HookContext): Promise<void> {
    const split = phase === 'after' && SPLIT.has(flow);
    for (const hook of this.list(flow, phase, ctx.method)) {
      if (split && hook.prePersist) continue;
      await hook.execute(ctx);
    }
  }

  /**
   * Registration and settings before the identity is stored: only the method's own list (Kratos reads
   * no flow-wide list here), only hooks that parse or may interrupt. They may change `ctx.identity`.
   */
  async runPrePersist(flow: string, ctx: HookContext): Promise<void> {
    if (!ctx.method) return;
    const key = `${flow}.pre.${ctx.method}`;
    let hooks = this.cache.get(key);
    if (!hooks) {
      hooks = this.build(flow, 'after', ctx.method).filter((h) => h.prePersist);
      this.cache.set(key, hooks);
    }
    if (hooks.length === 0) return;
    ctx.prePersist = true;
    try {
      for (const hook of hooks) await hook.execute(ctx);
    } finally {
      ctx.prePersist = false;
    }
  }

  /**
   * Start-up: builds every configured list (a config that can never work throws, naming its key) and
   * lets each hook prepare itself (templates are compiled).
   */
  async prepare(flows: Record<string, string[]>): Promise<void> {
    for (const [flow, methods] of Object.entries(flows)) {
      for (const phase of ['before', 'after'] as const) {
        for (const method of [undefined, ...methods]) {
          const hooks = this.build(flow, phase, method);
          for (const [i, hook] of hooks.entries()) {
            try {
              await hook.prepare?.();
            } catch (err) {
              throw new Error(`${keyOf(flow, phase, method)}[${i}].config.body: the template does not compile: ${(err as Error).message}`, { cause: err });
            }
          }
        }
      }
    }
  }

  private build(flow: string, phase: Phase, method?: string): Hook[] {
    const out: Hook[] = [];
    for (const [i, entry] of this.config.flowHooks(flow, phase, method).entries()) {
      const where = `${keyOf(flow, phase, method)}[${i}]`;
      const factory = this.kinds.get(entry.hook);
      if (!factory) {
        if (!KRATOS_HOOKS.has(entry.hook)) throw new Error(`${where}.hook: unknown hook "${entry.hook}"`);
        this.logger.warn({ hook: entry.hook, where }, 'hook not implemented by Porta, ignored');
        continue;
      }
      try {
        out.push(factory(entry.config ?? {}));
      } catch (err) {
        if (err instanceof HookConfigError) throw new Error(`${where}.config.${err.key}: ${err.message}`, { cause: err });
        throw err;
      }
    }
    return out;
  }
}
