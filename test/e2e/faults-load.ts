import assert from 'node:assert/strict';
import { startApp, type Backend } from '../helpers/harness.js';
import { seedIdentity, seedSession } from '../helpers/seed.js';

/**
 * Sessions and request load for the fault tests (a server killed, a database restarted under load).
 * Sessions are seeded in-process on the database the spawned server then uses: the same config and
 * secrets, so their tokens, cookies and logout tokens are valid there.
 */

/** Where a browser logout lands when it worked (the reference config's logout return URL). */
export const LOGOUT_RETURN = 'http://localhost:4455/login';

export type Kind = 'api' | 'browser' | 'bystander';

export interface Seeded {
  kind: Kind;
  sessionId: string;
  token: string;
  cookie: string;
  logoutToken: string;
  /** What the test knows of it: never asked to log out, acknowledged, or sent without a usable answer. */
  outcome: 'unsent' | 'acked' | 'unknown';
}

/** One identity per 50 sessions (an identity with thousands of sessions is not what a server sees). */
export async function seedSessions(backend: Backend, dsn: string, counts: Record<Kind, number>): Promise<Seeded[]> {
  const t = await startApp({ backend, dsn });
  try {
    const kinds: Kind[] = [];
    // Interleaved, so that a load that stops part-way has sent some of each kind.
    const total = counts.api + counts.browser + counts.bystander;
    const left = { ...counts };
    for (let i = 0; kinds.length < total; i++) {
      for (const k of ['api', 'browser', 'bystander'] as Kind[]) if (left[k]-- > 0) kinds.push(k);
    }
    const out: Seeded[] = [];
    for (let i = 0; i < kinds.length; i += 50) {
      const identity = await seedIdentity(t);
      const batch = await Promise.all(
        kinds.slice(i, i + 50).map(async (kind) => {
          const s = await seedSession(t, identity);
          return { kind, sessionId: s.session.id, token: s.token, cookie: s.cookie, logoutToken: t.app.registry.sessions.logoutToken(s.session.id), outcome: 'unsent' as const };
        }),
      );
      out.push(...batch);
    }
    return out;
  } finally {
    await t.close();
  }
}

export interface Answer {
  status: number;
  body: string;
  location: string | null;
  /** A request that got no HTTP answer: the connection failed, or it took longer than the bound. */
  failure?: 'network' | 'timeout';
}

/** One request with a hard bound; never throws. */
export async function request(url: string, init: RequestInit, boundMs: number): Promise<Answer> {
  try {
    const res = await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(boundMs) });
    return { status: res.status, body: await res.text(), location: res.headers.get('location') };
  } catch (err) {
    const name = (err as Error).name;
    return { status: 0, body: String((err as Error).message), location: null, failure: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' };
  }
}

/** The logout this session's kind uses: the native API logout, or the browser logout link with its cookie. */
export function logout(base: string, s: Seeded, boundMs: number): Promise<Answer> {
  if (s.kind === 'api') {
    return request(
      `${base}/self-service/logout/api`,
      { method: 'DELETE', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ session_token: s.token }) },
      boundMs,
    );
  }
  return request(`${base}/self-service/logout?token=${encodeURIComponent(s.logoutToken)}`, { headers: { cookie: s.cookie } }, boundMs);
}

/** Whether a logout answer acknowledges the logout: 204 for the API, a 303 to the logout return URL for browsers. */
export function acknowledged(s: Seeded, a: Answer): boolean {
  return s.kind === 'api' ? a.status === 204 : a.status === 303 && a.location === LOGOUT_RETURN;
}

/** whoami with the credential the session's client holds (browsers: the cookie; the rest: the token). */
export function whoami(base: string, s: Seeded, boundMs: number): Promise<Answer> {
  const headers: Record<string, string> = s.kind === 'browser' ? { cookie: s.cookie } : { 'x-session-token': s.token };
  return request(`${base}/sessions/whoami`, { headers: { ...headers, accept: 'application/json' } }, boundMs);
}

/** Runs `fn` over `items` with `width` requests in flight. */
export async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/**
 * After the fault: every acknowledged logout is still revoked (401), every session nobody logged out
 * still works (200); a logout sent without a usable answer may be either.
 */
export async function verifySessions(base: string, sessions: Seeded[]): Promise<Record<string, number>> {
  const wrong: string[] = [];
  const seen: Record<string, number> = {};
  await pool(sessions, 16, async (s) => {
    const a = await whoami(base, s, 15_000);
    const key = `${s.kind}/${s.outcome}/${a.status}`;
    seen[key] = (seen[key] ?? 0) + 1;
    const expected = s.outcome === 'acked' ? [401] : s.outcome === 'unsent' ? [200] : [200, 401];
    if (!expected.includes(a.status)) wrong.push(`${s.kind} session ${s.sessionId} (${s.outcome}): whoami ${a.status} ${a.body.slice(0, 200)}`);
  });
  assert.deepEqual(wrong, [], `sessions in the wrong state after the fault (${JSON.stringify(seen)})`);
  return seen;
}
