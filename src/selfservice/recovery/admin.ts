import type { FastifyReply, FastifyRequest } from 'fastify';
import { readJsonBody } from '../../http/body.js';
import { sendError } from '../../http/writer.js';
import { parseDuration } from '../../config/duration.js';
import { isUUID } from '../../x/tokens.js';
import { goTime } from '../../x/go/time.js';
import { newStoredFlow, sendJSON } from '../flow/model.js';
import { uiURLOf } from '../flow/respond.js';
import { withQuery } from '../flow/url.js';
import { issueAdminCode } from '../strategy/code/recovery.js';
import type { RecoveryDeps } from './init.js';
import { adminCodeNodes, internalOf } from './flow.js';
import { errBadExpiresIn, errBadRecoveryFlowType, errExpiresInNotString, errExpiresInPast, errIdentityNotFound, errStrategyDisabled } from '../../http/catalogue/index.js';

const MAX_DURATION_INPUT = 64;

/** Go's time.Duration.String() for whole milliseconds (enough for what an admin can send). */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = `${rest / 1000}s`;
  if (h) return `${sign}${h}h${m}m${s}`;
  if (m) return `${sign}${m}m${s}`;
  return `${sign}${s}`;
}

/** expires_in as Kratos reads it: a Go duration, possibly negative (then refused as not in the future). */
function parseExpiresIn(raw: string): number {
  const bad = () => errBadExpiresIn(raw);
  if (raw.length > MAX_DURATION_INPUT) throw bad();
  const negative = raw.startsWith('-');
  let ms: number;
  try {
    ms = parseDuration(negative || raw.startsWith('+') ? raw.slice(1) : raw);
  } catch {
    throw bad();
  }
  return negative ? -ms : ms;
}

/**
 * POST /admin/recovery/code (createRecoveryCodeForIdentity): a recovery flow in sent_email without CSRF
 * checks, holding an admin code for the identity; nothing is mailed. The code is returned once, in clear,
 * for support staff to pass on; only its digest is stored.
 */
export async function createAdminRecoveryCode(deps: RecoveryDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  try {
    if (!deps.config.codeMethod.enabled) throw errStrategyDisabled();
    const body = readJsonBody(req);
    const o = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    let lifespanMs = deps.config.codeMethod.lifespanMs;
    if (o.expires_in !== undefined && o.expires_in !== '') {
      if (typeof o.expires_in !== 'string') throw errExpiresInNotString();
      lifespanMs = parseExpiresIn(o.expires_in);
      if (lifespanMs <= 0) throw errExpiresInPast(goDuration(lifespanMs));
    }
    const flowType = o.flow_type === undefined || o.flow_type === '' ? 'browser' : o.flow_type;
    if (flowType !== 'browser' && flowType !== 'api') throw errBadRecoveryFlowType(String(flowType));
    const identityId = typeof o.identity_id === 'string' ? o.identity_id : '';
    const identity = isUUID(identityId) ? await deps.persister.identities.getIdentity(identityId.toLowerCase()) : null;
    if (!identity) throw errIdentityNotFound();

    const flow = newStoredFlow(deps.config, 'recovery', flowType, '', {
      request_url: `${deps.config.adminBaseURL.href.replace(/\/$/, '')}/admin/recovery/code`,
      active: 'code',
      ui: { action: '', method: 'POST', nodes: adminCodeNodes() },
      state: 'sent_email',
    });
    flow.expiresAt = new Date(flow.issuedAt.getTime() + lifespanMs);
    const { code, stored } = issueAdminCode(deps.config, identity, lifespanMs);
    const internal = internalOf(flow);
    internal.admin = true;
    internal.code = stored;
    await deps.persister.flows.createFlow(flow);
    return sendJSON(reply, 201, {
      recovery_link: withQuery(uiURLOf(deps, 'recovery'), 'flow', flow.id),
      recovery_code: code,
      expires_at: goTime(flow.expiresAt),
    });
  } catch (err) {
    return sendError(req, reply, err);
  }
}
