/**
 * The only door between the UI and Porta: plain HTTP requests to the public API, as any external UI
 * (Kratos's reference UI included) would make them. The browser's Cookie header is forwarded and the
 * API's Set-Cookie headers are handed back, so the API stays the single owner of every cookie.
 */
export interface ApiRequest {
  method: 'GET' | 'DELETE';
  /** Path on the public API, e.g. `/sessions/whoami`. */
  path: string;
  query?: Record<string, string | undefined>;
  /** The browser's Cookie header, verbatim. */
  cookie?: string;
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON body; undefined when the response had none or it was not JSON. */
  body: unknown;
  setCookie: string[];
}

export interface PortaApiClient {
  send(req: ApiRequest): Promise<ApiResponse>;
}

export function pathWithQuery(path: string, query?: Record<string, string | undefined>): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, v);
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
