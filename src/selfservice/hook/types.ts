import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../identity/types.js';
import type { Session } from '../../session/types.js';
import type { StoredFlow } from '../flow/types.js';

/** What a hook sees and may add to. One context per flow step; hooks run in their configured order. */
export interface HookContext {
  req: FastifyRequest;
  reply: FastifyReply;
  flow: StoredFlow;
  /** The method of the submit (after hooks of a method); undefined before a flow or for flow-wide hooks. */
  method?: string;
  identity?: Identity;
  /** The request's own session in a flow that needs one (settings); never serialized to a hook receiver. */
  session?: Session;
  /** The session a `session` hook issued, with its token (never serialized to a hook receiver). */
  issued?: { session: Session; token: string };
}

/** One configured hook (Kratos's hook executor). Throwing aborts the flow step, as in Kratos. */
export interface Hook {
  readonly name: string;
  execute(ctx: HookContext): Promise<void>;
}

/** Builds a hook from its `config` object of the Kratos hook list entry. */
export type HookFactory = (config: Record<string, unknown>) => Hook;
