import type { Captured } from '../helpers/capture.js';
import type { PortaProcess } from '../helpers/spawn.js';
import { call } from './client.js';

/** Shared by the session-event crash tests: quick retries so a test waits on leases, not backoff. */
export const delivery = { initial_interval: '50ms', max_interval: '300ms', timeout: '1s', poll_interval: '100ms' };
export const config = (url: string) => ({ porta: { session_events: { receivers: [{ id: 'r1', url: `${url}/ev` }], delivery } } });
/** A loaded CI machine starts processes slowly. */
export const READY = 60_000;

export const apiLogout = (p: PortaProcess, token: string) =>
  call(`${p.publicURL}/self-service/logout/api`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session_token: token }) });
export const eventId = (c: Captured) => String(c.headers['porta-event-id']);
export const sessionOf = (c: Captured) => JSON.parse(c.body).session.id as string;
