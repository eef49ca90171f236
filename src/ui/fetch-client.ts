import { parseJson, pathWithQuery, type ApiRequest, type ApiResponse, type PortaApiClient } from './api.js';

/**
 * The same client over the network, for running the UI apart from Porta (or against Kratos): requests go
 * to `serve.public.base_url` (its path prefix kept) and redirects are not followed.
 */
export class FetchApiClient implements PortaApiClient {
  constructor(private readonly publicBaseURL: URL) {}

  async send(req: ApiRequest): Promise<ApiResponse> {
    const base = this.publicBaseURL.href.replace(/\/$/, '');
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.cookie) headers.cookie = req.cookie;
    const res = await fetch(base + pathWithQuery(req.path, req.query), { method: req.method, headers, redirect: 'manual' });
    return { status: res.status, body: parseJson(await res.text()), setCookie: res.headers.getSetCookie() };
  }
}
