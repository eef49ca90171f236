import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../identity/types.js';
import type { Session } from '../../session/types.js';
import type { FlowType, StoredFlow } from '../flow/types.js';

/** What a logout hook is told about the "flow" (logout has none stored): its type and where the browser goes. */
export interface LogoutFlowView {
  kind: 'logout';
  type: FlowType;
  returnTo: string | null;
  /** The request URL without the logout token (ctx.request_url of a logout hook). */
  requestURL: string;
}

/** What a hook sees and may add to. One context per flow step; hooks run in their configured order. */
export interface HookContext {
  req: FastifyRequest;
  reply: FastifyReply;
  flow: StoredFlow | LogoutFlowView;
  /** The method of the submit (after hooks of a method); undefined before a flow or for flow-wide hooks. */
  method?: string;
  /**
   * The identity: in registration's pre-persist stage the one about to be created (nil id; a hook with
   * `response.parse` may change it), afterwards the stored one.
   */
  identity?: Identity;
  /** Login after hooks: the new session (final id, not stored yet). Logout: the ended session. */
  session?: Session;
  /**
   * Registration (and settings): `pre_persist` runs before the identity is stored (web hooks with
   * `response.parse` or `can_interrupt`), `post_persist` after it (the other hooks). Unset elsewhere.
   */
  stage?: 'pre_persist' | 'post_persist';
  /** The session a `session` hook issued, with its token (never serialized to a hook receiver). */
  issued?: { session: Session; token: string };
}

/** One configured hook (Kratos's hook executor). Throwing aborts the flow step, as in Kratos. */
export interface Hook {
  readonly name: string;
  execute(ctx: HookContext): Promise<void>;
  /** Asynchronous start-up checks (e.g. compiling a template); throws ConfigError naming the key. */
  prepare?(): Promise<void>;
}

/**
 * Builds a hook from its `config` object of the Kratos hook list entry; `key` names that entry in
 * messages (`selfservice.flows.login.after.password.hooks[0].config`). Throws ConfigError when the
 * config can never work.
 */
export type HookFactory = (config: Record<string, unknown>, key: string, where: { flow: string; phase: 'before' | 'after' }) => Hook;
