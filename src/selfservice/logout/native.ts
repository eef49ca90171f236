import type { FastifyReply, FastifyRequest } from 'fastify';
import { readJsonBody } from '../../http/body.js';
import { sendError } from '../../http/writer.js';
import { hashToken, SESSION_TOKEN_PATTERN } from '../../x/tokens.js';
import type { LogoutDeps } from './deps.js';
import { errJsonPayload, errUnknownSessionToken } from '../../http/catalogue/index.js';

function goTypeOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

const decodeError = (detail: string) => errJsonPayload(`json: ${detail}`);

/** Go's json.Unmarshal into {session_token string}: keys match case-insensitively, null means zero. */
function sessionTokenOf(body: unknown): string {
  if (body === null) return '';
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw decodeError(`cannot unmarshal ${goTypeOf(body)} into Go value of type logout.performNativeLogoutBody`);
  }
  let token = '';
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (k.toLowerCase() !== 'session_token' || v === null) continue;
    if (typeof v !== 'string') {
      throw decodeError(`cannot unmarshal ${goTypeOf(v)} into Go struct field performNativeLogoutBody.session_token of type string`);
    }
    token = v;
  }
  return token;
}

/**
 * DELETE /self-service/logout/api (performNativeLogout): revokes the session of the token in the body,
 * in one write; a repeat or an expired session is still 204. Cookies are neither read nor written.
 */
export async function performNativeLogout(deps: LogoutDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  try {
    const token = sessionTokenOf(readJsonBody(req));
    // Porta only issues this format; anything else cannot name a session, so it costs no database work.
    if (!SESSION_TOKEN_PATTERN.test(token)) throw errUnknownSessionToken();
    const { sessionId, ended } = await deps.sessions.revokeSessionByToken(hashToken(token), 'self_service_logout');
    if (sessionId === null) throw errUnknownSessionToken();
    if (ended.length > 0 && deps.logoutHooks) await deps.logoutHooks.run(req, { sessionId }, { type: 'api', return_to: null });
    return reply.code(204).send();
  } catch (err) {
    return sendError(req, reply, err);
  }
}
