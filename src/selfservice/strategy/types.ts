import type { Config } from '../../config/config.js';
import type { Identity } from '../../identity/types.js';
import type { NewIdentityCredentials } from '../../identity/manager.js';
import type { UiContainer, UiNode } from '../flow/ui.js';

/** The decoded form or JSON body of a submit. */
export type Body = Record<string, unknown>;

/**
 * What a login method does inside the login flow. The flow owns everything around it (CSRF, expiry,
 * refresh, return_to, the session); the method renders its inputs and turns a submitted body into an
 * authenticated identity.
 */
export interface LoginMethod<P = unknown> {
  /** The method's nodes for a new flow. With `refreshOf`, the form re-authenticates that identity. */
  nodes(ctx: { schema: Record<string, unknown>; refreshOf?: Identity }): UiNode[];
  /** Reads the method's fields; throws FlowFormError naming the missing ones. */
  parse(body: Body): P;
  /** Rewrites the rendered form after a failed submit: never echo secrets, keep what the person typed. */
  refill(ui: UiContainer, body: Body | undefined, refresh: boolean): void;
  /** Checks the credentials (after the flow checked CSRF); throws FlowFormError when they are wrong. */
  authenticate(payload: P): Promise<Identity>;
  /**
   * The account identifier an attempt is about, for login throttling (counted per identifier and per
   * client); a method that names no account returns undefined and is not throttled by the flow.
   */
  throttleKey?(payload: P): string | undefined;
}

/** What a registration method does inside the (one-step) registration flow. */
export interface RegistrationMethod<P = unknown> {
  /** `inputs` follow the first trait node, `submit` comes last (Kratos's one-step order). */
  nodes(ctx: { schema: Record<string, unknown> }): { inputs: UiNode[]; submit: UiNode[] };
  /** Reads the method's fields; missing ones are reported as node messages beside the traits' own. */
  parse(body: Body): { payload: P; missing: string[] };
  /** Removes secrets from a re-rendered form. */
  clear(ui: UiContainer): void;
  /** The credentials for the new identity (after CSRF); throws FlowFormError when the policy refuses them. */
  credentials(ctx: { schemaId: string; traits: Record<string, unknown>; payload: P }): NewIdentityCredentials;
}

/** What a method changes inside the settings flow (the flow owns session, CSRF, expiry, hooks). */
export interface SettingsMethod<P = unknown> {
  /** The method's nodes (its own group) for the identity as it is now. */
  nodes(ctx: { schema: Record<string, unknown>; identity: Identity }): UiNode[];
  /** Reads and validates the method's fields (before CSRF, as Kratos); throws FlowFormError. */
  parse(body: Body, ctx: { schema: Record<string, unknown> }): P;
  /** After a failed submit: never echo secrets, keep what the person typed. */
  refill(ui: UiContainer, body: Body | undefined): void;
  /**
   * The updated identity (credentials loaded), after CSRF. `privileged` says whether the session may
   * change protected fields; a method that needs it and lacks it throws SettingsRefreshRequired.
   * Throws FlowFormError for what the person must fix.
   */
  apply(ctx: { identity: Identity; payload: P; privileged: boolean }): Promise<Identity>;
}

/**
 * A self-service method (Kratos's strategy): the value of `method` in a submit, the UI node group it
 * renders into, and the flows it takes part in. Flows never name a method; they ask the registry.
 */
export interface Strategy {
  readonly id: string;
  /** Authenticator assurance level a login with this method establishes. */
  readonly aal: 'aal1' | 'aal2';
  enabled(config: Config): boolean;
  readonly login?: LoginMethod;
  readonly registration?: RegistrationMethod;
  readonly settings?: SettingsMethod;
}
