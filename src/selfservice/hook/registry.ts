import type { Config } from '../../config/config.js';
import { HOOK_METHODS } from '../../config/hooks-schema.js';
import type { BuiltinHooks } from './index.js';
import type { Hook, HookContext } from './types.js';

type Warn = { warn(obj: object, msg: string): void };
type Phase = 'before' | 'after';

/** Every flow whose hook lists Porta reads (the schema accepts the same keys). */
const HOOK_FLOWS = ['login', 'registration', 'settings', 'recovery', 'verification', 'logout'] as const;

/**
 * The hook kinds Porta knows and the lists configured per flow, phase and method, resolved with
 * Kratos's rules. Every configured list is built (and its hooks prepared) when the server starts, so
 * a hook that can never work stops start-up with its key named.
 */
export class HookRegistry {
  private readonly cache = new Map<string, Hook[]>();

  constructor(
    private readonly config: Config,
    private readonly builtins: BuiltinHooks,
    private readonly logger: Warn,
  ) {}

  /** Builds every configured list and runs the hooks' asynchronous checks (template compilation). */
  async prepare(): Promise<void> {
    const hooks: Hook[] = [];
    for (const flow of HOOK_FLOWS) {
      for (const phase of ['before', 'after'] as const) {
        hooks.push(...this.entries(flow, phase));
        if (phase === 'after' && flow !== 'logout') for (const m of HOOK_METHODS) hooks.push(...this.entries(flow, phase, m));
      }
    }
    for (const hook of hooks) await hook.prepare?.();
  }

  close(): void {
    this.builtins.close();
  }

  /**
   * The hooks of `selfservice.flows.<flow>.<phase>` for a method: the method's own list when it yields
   * any hook, the flow-wide list otherwise; unknown names are logged and skipped; `session` runs last.
   */
  list(flow: string, phase: Phase, method?: string): Hook[] {
    const key = `${flow}.${phase}.${method ?? ''}`;
    let hooks = this.cache.get(key);
    if (!hooks) {
      hooks = method ? this.entries(flow, phase, method) : [];
      if (hooks.length === 0) hooks = this.entries(flow, phase);
      hooks.sort((a, b) => Number(a.name === 'session') - Number(b.name === 'session'));
      this.cache.set(key, hooks);
    }
    return hooks;
  }

  /** Runs the list in order; the first hook that throws aborts the rest. */
  async run(flow: string, phase: Phase, ctx: HookContext): Promise<void> {
    for (const hook of this.list(flow, phase, ctx.method)) await hook.execute(ctx);
  }

  /**
   * Kratos's pre-persist point of registration (and settings): only the method's own after-list, never
   * the flow-wide one, before anything is stored. Hooks that do not take part skip themselves.
   */
  async runPrePersist(flow: string, ctx: HookContext & { method: string }): Promise<void> {
    const key = `${flow}.after.${ctx.method}.pre`;
    let hooks = this.cache.get(key);
    if (!hooks) this.cache.set(key, (hooks = this.entries(flow, 'after', ctx.method)));
    for (const hook of hooks) await hook.execute({ ...ctx, stage: 'pre_persist' });
  }

  private entries(flow: string, phase: Phase, method?: string): Hook[] {
    const path = `selfservice.flows.${flow}.${phase}${method ? `.${method}` : ''}.hooks`;
    const cacheKey = `entries:${path}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return [...cached];
    const raw = this.config.get(path);
    const out: Hook[] = [];
    if (Array.isArray(raw)) {
      raw.forEach((entry: { hook: string; config?: Record<string, unknown> }, i) => {
        const factory = this.builtins.kinds.get(entry.hook);
        if (!factory) {
          this.logger.warn({ hook: entry.hook, where: path }, 'hook not implemented by Porta; ignored');
          return;
        }
        out.push(factory(entry.config ?? {}, `${path}[${i}].config`, { flow, phase }));
      });
    }
    this.cache.set(cacheKey, out);
    return [...out];
  }
}
