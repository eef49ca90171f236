import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { toPortaError } from './errors.js';
import { sendError, goJson } from './writer.js';
import { corsHook } from './cors.js';
import { cleanPathHook } from './clean-path.js';
import { clientErrorHandler, frameworkErrorHandler, installNodeErrorAnswers, requireHostHook, sendBodyTooLarge } from './framework-errors.js';
import type { CorsSettings } from '../config/config.js';
import { errNotFound } from './catalogue/index.js';

/** Kratos wraps its whole stack in http.MaxBytesHandler(5 MiB). */
export const BODY_LIMIT = 5 * 1024 * 1024;

export interface ServerOptions {
  kind: 'public' | 'admin';
  logger: Logger;
  cors?: CorsSettings;
}

/**
 * A Fastify instance with the behaviour every Porta route shares: Kratos-format errors, 404 and 405,
 * the no-cache header on GET, raw bodies (each endpoint decodes with Kratos's exact errors), request
 * logs without query strings (they carry logout tokens), and the admin `/admin` prefix rewrite.
 */
export async function createServer(opts: ServerOptions): Promise<FastifyInstance> {
  const serverLogger = opts.logger.child({ server: opts.kind });
  const logRequests = opts.logger.isLevelEnabled('info');
  const app = Fastify({
    // With request lines off, Fastify gets no logger at all: given one, it builds a logger per request and
    // hangs two listeners on every response to time it, for lines nobody writes (several µs per request on
    // whoami and the logouts). Handlers' own warnings and errors still reach req.log: the first hook below
    // points it at the server's logger.
    ...(logRequests
      ? {
          loggerInstance: serverLogger as unknown as FastifyBaseLogger,
          // Porta logs requests itself (onResponse below) so that query strings, which carry tokens, never appear.
          logController: new LogController({ disableRequestLogging: true }),
        }
      : { logger: false }),
    bodyLimit: BODY_LIMIT,
    trustProxy: false,
    return503OnClosing: true,
    // Kratos's admin router answers un-prefixed paths as if they had /admin in front.
    rewriteUrl:
      opts.kind === 'admin'
        ? (req) => {
            const url = req.url ?? '/';
            return url === '/admin' || url.startsWith('/admin/') || url.startsWith('/admin?') ? url : `/admin${url === '/' ? '' : url}`;
          }
        : undefined,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 500 },
    // Errors raised before routing answer in the Kratos format too.
    clientErrorHandler: clientErrorHandler(serverLogger),
    frameworkErrors: frameworkErrorHandler,
  });

  installNodeErrorAnswers(app.server);
  app.addHook(
    'onRequest',
    logRequests
      ? requireHostHook
      : (req, reply, done) => {
          req.log = serverLogger as unknown as FastifyBaseLogger;
          requireHostHook(req, reply, done);
        },
  );

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setReplySerializer((payload) => goJson(payload));

  // The hooks below run on every request, so they are callback hooks (an async hook costs a promise per
  // request) and request timing exists only when request logs are written.
  app.addHook('onRequest', (req, reply, done) => {
    if (logRequests) (req as { startedAt?: bigint }).startedAt = process.hrtime.bigint();
    if (req.method === 'GET') reply.header('cache-control', 'private, no-cache, no-store, must-revalidate');
    done();
  });
  // Graceful shutdown: close() stops listening, closes idle connections once and waits for the rest. A
  // keep-alive connection whose request was in flight at close() would turn idle afterwards and hold
  // close() for the whole keep-alive timeout; Node applies the server's current timeout when a response
  // ends, so a tiny one set at close ends those connections right after their response, at no cost to
  // requests served before.
  app.addHook('preClose', (done) => {
    app.server.keepAliveTimeout = 1;
    done();
  });
  if (logRequests) app.addHook('onResponse', (req, reply, done) => {
    const started = (req as { startedAt?: bigint }).startedAt ?? process.hrtime.bigint();
    // Only the path: query strings carry logout tokens and return_to values.
    const path = req.url.split('?')[0];
    req.log.info({ method: req.method, path, status: reply.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
    done();
  });

  if (opts.cors?.enabled) app.addHook('onRequest', corsHook(opts.cors));
  // After the no-cache and CORS headers, which Kratos's middlewares set before its router redirects.
  app.addHook('onRequest', cleanPathHook);

  app.setNotFoundHandler((req, reply) => sendError(req, reply, errNotFound()));
  app.setErrorHandler((err, req, reply) => {
    const e = toPortaError(err);
    if (e.code === 413) return sendBodyTooLarge(req, reply, e);
    return sendError(req, reply, e);
  });
  return app;
}

export interface Servers {
  public: FastifyInstance;
  admin: FastifyInstance;
}
