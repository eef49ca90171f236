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
  /** Login's after-hooks: the session the login will store (its id is final), shown to web hooks as Kratos does. */
  draftSession?: Session;
  /** The session a `session` hook issued, with its token (never serialized to a hook receiver). */
  issued?: { session: Session; token: string };
  /**
   * Work a hook leaves for when the flow's session exists: login's after-hooks run before the session is
   * created (so one may refuse it), and a hook that needs the new session (revoke_active_sessions) waits.
   */
  onIssued?: Array<(issued: { session: Session; token: string }) => Promise<void>>;
  /** The verification flow registration started for the new address (Kratos's automatic verification hook). */
  verification?: { id: string; verifiable_address: string; url?: string };
  /** Items a hook adds to the answer's `continue_with` (e.g. show_verification_ui). */
  continueWith?: Array<Record<string, unknown>>;
  /** Where a browser goes instead of the usual return URL (e.g. the verification UI). */
  browserRedirect?: string;
  /** Set while the pre-persist hooks run: a parse hook may change `identity` before it is stored. */
  prePersist?: boolean;
  /** Set by a hook that wrote the response itself (a refusal); the flow step then ends there. */
  answered?: boolean;
}

/** One configured hook (Kratos's hook executor). Throwing aborts the flow step, as in Kratos. */
export interface Hook {
  readonly name: string;
  /**
   * Runs before the identity is stored (registration, settings: a `web_hook` with `parse` or
   * `can_interrupt`) and is skipped after it; in the other flows it runs at its usual point.
   */
  readonly prePersist?: boolean;
  /** Start-up work that fails for a hook that can never work (a template that does not compile). */
  prepare?(): Promise<void>;
  execute(ctx: HookContext): Promise<void>;
}

/** Builds a hook from its `config` object of the Kratos hook list entry. */
export type HookFactory = (config: Record<string, unknown>) => Hook;
