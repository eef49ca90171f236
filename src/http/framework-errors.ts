import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Logger } from 'pino';
import { PortaError, statusText } from './errors.js';
import { goJson, requestIdOf, sendError } from './writer.js';
import { errBadPercentEncoding, errExpectationFailed, errMissingHost, errPathSegmentTooLong, errStatus, errUnparsableRequest } from './catalogue/index.js';

/**
 * Errors raised below Porta's routes (Node's HTTP parser, Fastify's router and body reader), answered in
 * the Kratos error envelope like every other error instead of Node's and Fastify's own bodies.
 */

/** How much of an over-limit body is read and thrown away so that the client gets to read the 413. */
export const DRAIN_LIMIT = 64 * 1024 * 1024;
/** And for how long at most: a client that trickles its body does not hold the connection open. */
export const DRAIN_MS = 30_000;

/** Status for a parse error, as Node's own clientError answer picks it. */
function clientErrorStatus(code: string | undefined): number {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    default:
      return 400;
  }
}

const answered = new WeakSet<Socket>();

/**
 * Node's 'clientError': the request could not be parsed (unknown method, bad header, header block over
 * the limit, request timeout). One Kratos-format answer, then the connection ends; the socket is destroyed
 * shortly after, whatever the client does.
 */
export function clientErrorHandler(logger: Logger): (err: NodeJS.ErrnoException, socket: Socket) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    // The failed parser reports again for every further chunk; answer once.
    if (answered.has(socket)) return;
    answered.add(socket);
    const status = clientErrorStatus(err.code);
    logger.debug({ code: err.code, status }, 'unparsable request');
    if (socket.writable && socket.bytesWritten === 0) {
      const body = Buffer.from(goJson((status === 400 ? errUnparsableRequest() : errStatus(status)).toPayload()));
      const head = `HTTP/1.1 ${status} ${statusText(status)}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
      // end() rather than destroy(): a destroy with unread request bytes resets the connection, and the
      // client may lose the answer.
      socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
      socket.resume();
      setTimeout(() => socket.destroy(), 1000).unref();
    } else {
      socket.destroy();
    }
  };
}

/** Writes a Kratos-format error on a bare Node response (outside Fastify), then closes. */
function writeRawError(res: ServerResponse, e: PortaError): void {
  const body = Buffer.from(goJson(e.toPayload()));
  res.writeHead(e.code, e.status, { 'content-type': 'application/json', 'content-length': body.length, connection: 'close' });
  res.end(body);
}

/**
 * The answers Node's HTTP server writes by itself, empty-bodied: 417 for an Expect other than
 * 100-continue, and 400 for an HTTP/1.1 request without Host (Node's check is turned off so that the
 * hook below answers it instead).
 */
export function installNodeErrorAnswers(server: Server): void {
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => writeRawError(res, errExpectationFailed()));
  (server as Server & { requireHostHeader: boolean }).requireHostHeader = false;
}

/** HTTP/1.1 requires Host (RFC 9112 §3.2); Go's server refuses a request without one with a 400 too. */
export function requireHostHook(req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const raw = req.raw;
  if (raw.headers.host === undefined && raw.httpVersionMajor === 1 && raw.httpVersionMinor === 1) {
    reply.header('connection', 'close');
    sendError(req, reply, errMissingHost());
    return;
  }
  done();
}

/** Fastify's frameworkErrors: URLs that do not decode, and path parameters over the router's limit. */
export function frameworkErrorHandler(err: Error & { code?: string }, req: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_BAD_URL') {
    sendError(req, reply, errBadPercentEncoding());
  } else if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    sendError(req, reply, errPathSegmentTooLong());
  } else {
    sendError(req, reply, err);
  }
}

/**
 * A 413 for a body the client is still sending. Closing at once would reset the connection under the
 * client (EPIPE/ECONNRESET while it writes), so it would never read the answer: the answer is written,
 * the rest of the body is read and discarded up to DRAIN_LIMIT, and only then does the connection close.
 */
export function sendBodyTooLarge(req: FastifyRequest, reply: FastifyReply, e: PortaError): void {
  const raw = req.raw;
  const declared = Number(req.headers['content-length']);
  if (raw.complete || raw.destroyed || declared > DRAIN_LIMIT) {
    sendError(req, reply, e);
    return;
  }
  reply.hijack();
  const res = reply.raw;
  const body = Buffer.from(goJson(e.toPayload(requestIdOf(req))));
  res.writeHead(e.code, e.status, {
    ...(reply.getHeaders() as OutgoingHttpHeaders),
    'content-type': 'application/json',
    'ory-error-id': e.id ?? '',
    'content-length': body.length,
    connection: 'close',
  });
  res.write(body);
  let seen = 0;
  const finish = () => {
    clearTimeout(timer);
    raw.off('data', count);
    if (!res.writableEnded) res.end();
  };
  const giveUp = () => {
    finish();
    raw.socket?.destroy();
  };
  const count = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DRAIN_LIMIT) giveUp();
  };
  const timer = setTimeout(giveUp, DRAIN_MS).unref();
  raw.on('data', count);
  raw.once('end', finish);
  raw.once('close', finish);
  raw.once('error', finish);
  raw.resume();
}
