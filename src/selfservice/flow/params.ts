import type { FastifyRequest } from 'fastify';
import { queryOf } from '../../http/query.js';

/**
 * A query parameter the flow reads, with empty values treated as absent: Kratos's reference UI always
 * sends `aal=&refresh=&return_to=&organization=&via=`.
 */
export function param(req: FastifyRequest, name: string): string | undefined {
  const v = queryOf(req).get(name);
  return v === undefined || v === '' ? undefined : v;
}

/** Go's strconv.ParseBool; anything else is false, as Kratos ignores the error. */
export function parseBool(v: string | undefined): boolean {
  return v !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);
}
export function isGoBool(v: string): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v);
}
