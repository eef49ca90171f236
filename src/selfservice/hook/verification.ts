import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../identity/types.js';
import { isJsonRequest } from '../../http/negotiate.js';
import { sendError } from '../../http/writer.js';
import { dataOf, redirect } from '../flow/model.js';
import { requestURL, withQuery } from '../flow/url.js';
import type { FlowType } from '../flow/types.js';
import { normalizeAddress, prepareCode, sendThrottled, sentNodes, type SendDeps } from '../strategy/code/verification.js';
import { buildVerificationFlow } from '../verification/init.js';
import { msgSent } from '../verification/flow.js';
import type { HookContext, HookFactory } from './types.js';
import { errNoVerifiableAddress, errVerifiedAddressRequired } from '../../http/catalogue/index.js';

export interface StartedVerification {
  id: string;
  verifiable_address: string;
  url?: string;
}

/**
 * Kratos's automatic verification: a verification flow of the originating type for the identity's first
 * unverified email address, in `sent_email`, with the code mailed (unless the send throttle says no).
 */
export async function startVerification(
  deps: SendDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  identity: Identity,
  type: FlowType,
  fields: { request_url?: string; return_to?: string } = {},
): Promise<StartedVerification | undefined> {
  if (!deps.config.verificationEnabled) return undefined;
  const address = identity.verifiableAddresses.find((a) => a.via === 'email' && !a.verified && a.value !== '');
  if (!address) return undefined;
  const flow = buildVerificationFlow(deps, req, reply, type, { request_url: fields.request_url ?? requestURL(req), return_to: fields.return_to });
  const d = dataOf(flow);
  d.state = 'sent_email';
  d.ui.nodes = sentNodes(type === 'browser' ? deps.csrf.masked(req, reply) : undefined, address.value);
  d.ui.messages = [msgSent()];
  await deps.persister.flows.createFlow(flow);
  const throttled = await sendThrottled(deps, deps.clientIp(req), normalizeAddress(address.value));
  const messages = throttled ? [] : await prepareCode(deps, flow, address.value, identity);
  await deps.persister.flows.updateFlow(flow, { messages });
  const url = type === 'browser' ? withQuery(deps.config.flowUIURL('verification'), 'flow', flow.id) : undefined;
  return { id: flow.id, verifiable_address: address.value, ...(url ? { url } : {}) };
}

export const showVerificationUI = (v: StartedVerification) => ({ action: 'show_verification_ui', flow: v });

/** `show_verification_ui`: the flow registration started goes to `continue_with`, and browsers to its UI. */
export function showVerificationUIHook(): HookFactory {
  return () => ({
    name: 'show_verification_ui',
    async execute(ctx: HookContext) {
      if (!ctx.verification) return;
      (ctx.continueWith ??= []).push(showVerificationUI(ctx.verification));
      if (ctx.verification.url) ctx.browserRedirect = ctx.verification.url;
    },
  });
}

/**
 * `require_verified_address` after login: an identity with no verified address gets no session; a
 * verification flow is started and the client is sent to it (browser) or told so (403, Kratos's error).
 */
export function requireVerifiedAddressHook(deps: SendDeps): HookFactory {
  return () => ({
    name: 'require_verified_address',
    async execute(ctx: HookContext) {
      const identity = ctx.identity;
      if (!identity) return;
      if (identity.verifiableAddresses.length === 0) {
        throw errNoVerifiableAddress();
      }
      if (identity.verifiableAddresses.some((a) => a.verified)) return;
      const started = await startVerification(deps, ctx.req, ctx.reply, identity, ctx.flow.type, { return_to: dataOf(ctx.flow).return_to });
      ctx.answered = true;
      if (started?.url && !isJsonRequest(ctx.req)) {
        redirect(ctx.req, ctx.reply, 303, started.url);
        return;
      }
      await sendError(
        ctx.req,
        ctx.reply,
        errVerifiedAddressRequired(started ? [showVerificationUI(started)] : []),
      );
    },
  });
}
