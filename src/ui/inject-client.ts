import type { FastifyInstance } from 'fastify';
import { parseJson, pathWithQuery, type ApiRequest, type ApiResponse, type PortaApiClient } from './api.js';

/**
 * Calls the public server in-process through Fastify's inject: full HTTP semantics (routing, hooks,
 * status codes, headers) without depending on the address the server listens on. The Host header is the
 * public base URL's, so URLs the API builds from the request look as they would from outside.
 */
export class InjectApiClient implements PortaApiClient {
  constructor(
    private readonly app: FastifyInstance,
    private readonly publicBaseURL: URL,
  ) {}

  async send(req: ApiRequest): Promise<ApiResponse> {
    const headers: Record<string, string> = { host: this.publicBaseURL.host, accept: 'application/json' };
    if (req.cookie) headers.cookie = req.cookie;
    const res = await this.app.inject({ method: req.method, url: pathWithQuery(req.path, req.query), headers });
    const raw = res.headers['set-cookie'];
    const setCookie = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
    return { status: res.statusCode, body: parseJson(res.body), setCookie };
  }
}
