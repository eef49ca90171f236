import type { ApiResponse, PortaApiClient } from './api.js';

/** The Kratos FrontendApi operations the pages use, named as in `@ory/client`. */
export class Frontend {
  constructor(private readonly client: PortaApiClient) {}

  toSession(cookie: string | undefined): Promise<ApiResponse> {
    return this.client.send({ method: 'GET', path: '/sessions/whoami', cookie });
  }
  listMySessions(cookie: string | undefined): Promise<ApiResponse> {
    return this.client.send({ method: 'GET', path: '/sessions', query: { per_page: '250' }, cookie });
  }
  disableMySession(cookie: string | undefined, id: string): Promise<ApiResponse> {
    return this.client.send({ method: 'DELETE', path: `/sessions/${encodeURIComponent(id)}`, cookie });
  }
  disableMyOtherSessions(cookie: string | undefined): Promise<ApiResponse> {
    return this.client.send({ method: 'DELETE', path: '/sessions', cookie });
  }
  createBrowserLogoutFlow(cookie: string | undefined, returnTo?: string): Promise<ApiResponse> {
    return this.client.send({ method: 'GET', path: '/self-service/logout/browser', query: { return_to: returnTo }, cookie });
  }
  getFlow(kind: 'login' | 'registration' | 'recovery' | 'verification', id: string, cookie: string | undefined): Promise<ApiResponse> {
    return this.client.send({ method: 'GET', path: `/self-service/${kind}/flows`, query: { id }, cookie });
  }
  /** createBrowserVerificationFlow: asked for JSON, the API answers with the flow and sets its CSRF cookie. */
  createBrowserVerificationFlow(cookie: string | undefined, returnTo?: string): Promise<ApiResponse> {
    return this.client.send({ method: 'GET', path: '/self-service/verification/browser', query: { return_to: returnTo }, cookie });
  }
  getSettingsFlow(id: string, cookie: string | undefined): Promise<ApiResponse> {
    return this.client.send({ method: 'GET', path: '/self-service/settings/flows', query: { id }, cookie });
  }
  getIdentitySchema(id: string): Promise<ApiResponse> {
    return this.client.send({ method: 'GET', path: `/schemas/${encodeURIComponent(id)}` });
  }
  /** Error containers are read without cookies, as the reference UI does. */
  getFlowError(id: string): Promise<ApiResponse> {
    return this.client.send({ method: 'GET', path: '/self-service/errors', query: { id } });
  }
}
