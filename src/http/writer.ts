import type { FastifyReply, FastifyRequest } from 'fastify';
import { PortaError, toPortaError } from './errors.js';
import { goEscape } from '../x/go/json.js';

export function requestIdOf(req: FastifyRequest): string | undefined {
  const v = req.headers['x-request-id'];
  return typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined;
}

/** herodot's JSONWriter.WriteError: status from the error, `application/json` without charset. */
export function sendError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const e = toPortaError(err);
  // A database outage turns every request into a 503: one short line each, not a stack trace each.
  if (e.code === 503) req.log.warn({ err: describeCause(e.cause) }, 'request failed: database unavailable');
  else if (e.code >= 500) req.log.error({ err: (e.cause as Error) ?? e }, 'request failed');
  return reply
    .code(e.code)
    .header('content-type', 'application/json')
    .header('ory-error-id', e.id ?? '')
    // A Buffer, because Fastify appends `; charset=utf-8` to string payloads and herodot sends none.
    .send(Buffer.from(goJson(e.toPayload(requestIdOf(req)))));
}

function describeCause(cause: unknown): string {
  const c = cause as { code?: unknown; message?: unknown } | undefined;
  return [c?.code, c?.message].filter((x) => typeof x === 'string' && x).join(' ') || 'unavailable';
}

/** JSON as Go's encoder writes it: HTML-sensitive characters escaped, newline at the end. */
export function goJson(value: unknown): string {
  return `${goEscape(JSON.stringify(value))}\n`;
}

export function isPortaError(err: unknown): err is PortaError {
  return err instanceof PortaError;
}
