import type { Config } from '../../config/config.js';
import type { Hook, HookContext, HookFactory } from './types.js';

type Warn = { warn(obj: object, msg: string): void };

/**
 * The hook kinds Porta knows (`session` now; `web_hook`, `revoke_active_sessions`,
 * `show_verification_ui` and logout hooks join this map) and the lists configured per flow, phase
 * and method, resolved once per list with Kratos's rules.
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
  list(flow: string, phase: 'before' | 'after', method?: string): Hook[] {
    const key = `${flow}.${phase}.${method ?? ''}`;
    let hooks = this.cache.get(key);
    if (!hooks) {
      hooks = method ? this.build(this.config.flowHooks(flow, phase, method), key) : [];
      if (hooks.length === 0) hooks = this.build(this.config.flowHooks(flow, phase), key);
      hooks.sort((a, b) => Number(a.name === 'session') - Number(b.name === 'session'));
      this.cache.set(key, hooks);
    }
    return hooks;
  }

  /** Runs the list in order; the first hook that throws aborts the rest. */
  async run(flow: string, phase: 'before' | 'after', ctx: HookContext): Promise<void> {
    for (const hook of this.list(flow, phase, ctx.method)) await hook.execute(ctx);
  }

  private build(entries: Array<{ hook: string; config?: Record<string, unknown> }>, where: string): Hook[] {
    const out: Hook[] = [];
    for (const entry of entries) {
      const factory = this.kinds.get(entry.hook);
      if (!factory) {
        this.logger.warn({ hook: entry.hook, where: `selfservice.flows.${where}` }, 'unknown hook ignored');
        continue;
      }
      out.push(factory(entry.config ?? {}));
    }
    return out;
  }
}
