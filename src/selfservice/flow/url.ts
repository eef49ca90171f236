import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';

/** `<serve.public.base_url>` joined with an absolute path, as Kratos's urlx.AppendPaths does. */
export function publicURL(config: Config, path: string): string {
  let base = config.publicBaseURL.href;
  while (base.endsWith('/')) base = base.slice(0, -1);
  return base + path;
}

/** Adds (or replaces) one query parameter, keeping the rest of the URL as configured. */
export function withQuery(url: URL | string, key: string, value: string): string {
  const u = new URL(String(url));
  u.searchParams.set(key, value);
  return u.href;
}

/**
 * Kratos's x.RequestURL: path and query as received, host from X-Forwarded-Host else Host, scheme from
 * X-Forwarded-Proto else the connection's. Only informative (request_url); nothing is trusted from it.
 */
export function requestURL(req: FastifyRequest): string {
  const fwdHost = req.headers['x-forwarded-host'];
  const fwdProto = req.headers['x-forwarded-proto'];
  const host = (typeof fwdHost === 'string' && fwdHost) || req.headers.host || 'localhost';
  const proto = (typeof fwdProto === 'string' && fwdProto) || req.protocol || 'http';
  return `${proto}://${host}${req.url}`;
}

/** The raw `return_to` value of a URL's query (first one), '' when absent. */
export function returnToOf(url: string): string {
  try {
    return new URL(url).searchParams.get('return_to') ?? '';
  } catch {
    return '';
  }
}
