import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { forEachSpawnBackend, spawnPorta, type PortaProcess } from '../helpers/spawn.js';
import { createIdentity, nativeLogin } from '../e2e/client.js';

// Issue 8: "a 1 MiB hostile value in any field of any self-service or admin endpoint is answered with a
// 4xx while /health/alive stays responsive". A spawned server, so that a blocked event loop shows as
// unanswered liveness probes, which an in-process test could not observe.

const MiB = 1024 * 1024;
const BIG = 'a'.repeat(MiB);
/** Digits that end badly: what made the old number pattern backtrack (19 s at 100 000 digits). */
const DIGITS = `${'1'.repeat(MiB)}x`;
/** Under every size limit, so it reaches the number parsing itself rather than a length check. */
const DIGITS_UNDER_CAP = `${'1'.repeat(60_000)}x`;
/** Values that fit into a request line or header (Node's 16 KiB cap) and so reach Porta's own code. */
const MEDIUM = 'a'.repeat(12_000);
const ACCEPT_QUOTES = `text/html${',""'.repeat(4000)}`;
/**
 * A liveness probe slower than this fails the test: a generous bound for a shared, loaded CI machine,
 * not a benchmark. The defects it guards against block for far longer (the old number pattern for
 * about half an hour on the 1 MiB digits case).
 */
const ALIVE_MS = 5000;

interface Res {
  status: number;
  body: string;
}

/** One request over node:http, which still reads a response the server sends before the body is consumed. */
function send(base: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    // agent: false: a fresh connection each time, so no request races the server closing an idle keep-alive socket.
    const req = request(`${base}${path}`, { method, agent: false, headers: { ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}), ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('hostile request timed out')));
    // A server that answers early (431, 413) may close while the body is still being written.
    req.on('error', (err) => (req.headersSent && (err as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(err)));
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** Runs `work` while probing /health/alive back to back; returns its result and the failed probes. */
async function whileProbing<T>(publicURL: string, work: () => Promise<T>): Promise<{ result: T; stalls: string[] }> {
  let done = false;
  const stalls: string[] = [];
  const probes = (async () => {
    while (!done) {
      const started = Date.now();
      try {
        const res = await fetch(`${publicURL}/health/alive`, { signal: AbortSignal.timeout(ALIVE_MS) });
        await res.arrayBuffer();
        if (res.status !== 200) stalls.push(`status ${res.status}`);
      } catch (err) {
        stalls.push(`no answer within ${Date.now() - started} ms (${(err as Error).name})`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  try {
    return { result: await work(), stalls };
  } finally {
    done = true;
    await probes;
  }
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
const JSON_CT = { 'content-type': 'application/json', accept: 'application/json' };

interface Case {
  name: string;
  server: 'public' | 'admin';
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Header-only cases may be valid requests (a 303, a 200): those only must not fail or stall. */
  anyStatusBelow500?: boolean;
}

forEachSpawnBackend('hostile values on every endpoint: 4xx, liveness kept', (backend) => {
  let p: PortaProcess;
  let cases: Case[];
  before(async () => {
    p = await spawnPorta({ backend, readyTimeoutMs: 60_000 });
    const { id: identityId, email } = await createIdentity(p.adminURL);
    const { token } = await nativeLogin(p.publicURL, email);
    const flow = async (kind: string) => {
      const res = await fetch(`${p.publicURL}/self-service/${kind}/api`);
      return ((await res.json()) as { id: string }).id;
    };
    const login = await flow('login');
    const reg = await flow('registration');
    const auth = { 'x-session-token': token };
    cases = [];
    const add = (c: Case) => cases.push(c);
    // Self-service bodies, form and JSON, every field the flows read.
    for (const [field, value] of [['identifier', BIG], ['password', BIG], ['method', BIG], ['csrf_token', BIG]]) {
      const fields = { method: 'password', identifier: 'a@example.org', password: 'x', [field]: value };
      add({ name: `login form ${field}`, server: 'public', method: 'POST', path: `/self-service/login?flow=${login}`, headers: FORM, body: form(fields) });
      add({ name: `login JSON ${field}`, server: 'public', method: 'POST', path: `/self-service/login?flow=${login}`, headers: JSON_CT, body: JSON.stringify(fields) });
    }
    for (const [field, value] of [['traits.email', BIG], ['traits.website', `https://example.org/${BIG}`], ['traits.age', DIGITS], ['traits.age', DIGITS_UNDER_CAP], ['password', BIG], ['method', BIG], [`traits.${BIG.slice(0, 60_000)}`, 'x']]) {
      const fields = { method: 'password', 'traits.email': 'r@example.org', 'traits.website': 'https://example.org/', password: 'x', [field]: value };
      const tag = `${field.slice(0, 20)}=${value.length}`;
      add({ name: `registration form ${tag}`, server: 'public', method: 'POST', path: `/self-service/registration?flow=${reg}`, headers: FORM, body: form(fields) });
      add({ name: `registration JSON ${tag}`, server: 'public', method: 'POST', path: `/self-service/registration?flow=${reg}`, headers: JSON_CT, body: JSON.stringify(fields) });
    }
    add({ name: 'native logout token', server: 'public', method: 'DELETE', path: '/self-service/logout/api', headers: JSON_CT, body: JSON.stringify({ session_token: BIG }) });
    // Admin identity bodies.
    const idBody = (traits: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ schema_id: 'default', traits: { email: 'h@example.org', website: 'https://example.org/', ...traits }, ...extra });
    add({ name: 'create identity email', server: 'admin', method: 'POST', path: '/admin/identities', headers: JSON_CT, body: idBody({ email: BIG }) });
    add({ name: 'create identity website', server: 'admin', method: 'POST', path: '/admin/identities', headers: JSON_CT, body: idBody({ website: `https://example.org/${BIG}` }) });
    add({ name: 'create identity age', server: 'admin', method: 'POST', path: '/admin/identities', headers: JSON_CT, body: idBody({ age: DIGITS }) });
    add({ name: 'create identity metadata', server: 'admin', method: 'POST', path: '/admin/identities', headers: JSON_CT, body: idBody({}, { metadata_admin: { x: BIG } }) });
    add({ name: 'create identity password', server: 'admin', method: 'POST', path: '/admin/identities', headers: JSON_CT, body: idBody({}, { credentials: { password: { config: { password: BIG } } } }) });
    add({ name: 'create identity external id', server: 'admin', method: 'POST', path: '/admin/identities', headers: JSON_CT, body: idBody({}, { external_id: BIG }) });
    add({ name: 'update identity traits', server: 'admin', method: 'PUT', path: `/admin/identities/${identityId}`, headers: JSON_CT, body: idBody({ website: `https://example.org/${BIG}` }) });
    add({ name: 'patch identity', server: 'admin', method: 'PATCH', path: `/admin/identities/${identityId}`, headers: JSON_CT, body: JSON.stringify([{ op: 'replace', path: '/traits/website', value: `https://example.org/${BIG}` }]) });
    add({ name: 'patch identity path', server: 'admin', method: 'PATCH', path: `/admin/identities/${identityId}`, headers: JSON_CT, body: JSON.stringify([{ op: 'replace', path: `/traits/${BIG}`, value: 'x' }]) });
    // Query and path values: 1 MiB (refused before routing) and 12 KiB (reaches Porta's own parsing).
    for (const v of [BIG, MEDIUM]) {
      const n = `${v.length}`;
      const pub: Array<[string, string]> = [
        ['GET', `/self-service/login/flows?id=${v}`],
        ['GET', `/self-service/registration/flows?id=${v}`],
        ['GET', `/self-service/login/browser?return_to=https://www.ory.sh/${v}`],
        ['GET', `/self-service/registration/api?return_to=${v}`],
        ['POST', `/self-service/login?flow=${v}`],
        ['GET', `/self-service/logout?token=${v}`],
        ['GET', `/self-service/logout/browser?return_to=${v}`],
        ['GET', `/self-service/errors?id=${v}`],
        ['GET', `/sessions?page_token=${v}`],
        ['GET', `/sessions?page_size=${'9'.repeat(v.length)}`],
        ['GET', `/sessions/${v}`],
        ['DELETE', `/sessions/${v}`],
        ['GET', `/schemas/${v}`],
        ['GET', `/schemas?page=${'9'.repeat(v.length)}&per_page=${v}`],
      ];
      // 12 KiB values may be valid (a long return_to, an ignored page token): those must only not fail or stall.
      const anyStatusBelow500 = v === MEDIUM;
      for (const [method, path] of pub) add({ name: `${method} ${path.slice(0, 40)} (${n})`, server: 'public', method, path, headers: { ...auth, accept: 'application/json' }, anyStatusBelow500 });
      const adm: Array<[string, string]> = [
        ['GET', `/admin/identities?credentials_identifier=${v}`],
        ['GET', `/admin/identities?page_token=${v}&page_size=${'9'.repeat(v.length)}`],
        ['GET', `/admin/identities/${v}`],
        ['GET', `/admin/identities/${identityId}?include_credential=${v}`],
        ['DELETE', `/admin/identities/${v}`],
        ['GET', `/admin/identities/by/external/${v}`],
        ['GET', `/admin/identities/${identityId}/sessions?page_token=${v}`],
        ['DELETE', `/admin/identities/${v}/sessions`],
        ['GET', `/admin/sessions?page_token=${v}&active=${v}`],
        ['GET', `/admin/sessions/${v}?expand=${v}`],
        ['PATCH', `/admin/sessions/${v}/extend`],
        ['DELETE', `/admin/sessions/${v}`],
        ['GET', `/admin/self-service/errors?id=${v}`],
        ['GET', `/admin/schemas/${v}`],
      ];
      for (const [method, path] of adm) add({ name: `${method} ${path.slice(0, 40)} (${n})`, server: 'admin', method, path, headers: { accept: 'application/json' }, anyStatusBelow500 });
    }
    // Headers Porta parses itself (sizes that fit Node's header cap).
    for (const path of ['/self-service/login/browser', '/sessions/whoami', `/self-service/login/flows?id=${login}`]) {
      add({ name: `hostile Accept on ${path}`, server: 'public', method: 'GET', path, headers: { accept: ACCEPT_QUOTES }, anyStatusBelow500: true });
      add({ name: `long session token on ${path}`, server: 'public', method: 'GET', path, headers: { 'x-session-token': MEDIUM, authorization: `Bearer ${MEDIUM}` }, anyStatusBelow500: true });
      add({ name: `long cookies on ${path}`, server: 'public', method: 'GET', path, headers: { cookie: `ory_kratos_session=${MEDIUM.slice(0, 8000)}; csrf_token_x=${'%'.repeat(1000)}` }, anyStatusBelow500: true });
    }
    add({ name: 'hostile Accept on a submit', server: 'public', method: 'POST', path: `/self-service/login?flow=${login}`, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: ACCEPT_QUOTES }, body: form({ method: 'password', identifier: 'a', password: BIG }) });
  });
  after(async () => {
    await p.stop();
  });

  test('every case is answered with a 4xx and /health/alive answers throughout', async () => {
    const failures: string[] = [];
    for (const c of cases) {
      const base = c.server === 'public' ? p.publicURL : p.adminURL;
      const { result, stalls } = await whileProbing(p.publicURL, async () => {
        try {
          return await send(base, c.method, c.path, { headers: c.headers, body: c.body });
        } catch (err) {
          return { status: 0, body: String(err) };
        }
      });
      // Node refuses a request head over its 16 KiB cap with 431 and closes the socket at once; a client
      // still writing its 1 MiB head may see the reset before it can read the 431. Either way the value
      // never reached Porta.
      const refusedHead = result.status === 0 && c.path.length + JSON.stringify(c.headers ?? {}).length > 16 * 1024 && /ECONNRESET|EPIPE/.test(result.body);
      const ok = c.anyStatusBelow500 ? result.status > 0 && result.status < 500 : (result.status >= 400 && result.status < 500) || refusedHead;
      if (!ok) failures.push(`${c.name}: ${result.status} ${result.body.slice(0, 200)}`);
      if (stalls.length) {
        failures.push(`${c.name}: /health/alive ${stalls.join(', ')}`);
        break; // the event loop is blocked: every later case would only wait for it
      }
    }
    assert.deepEqual(failures, []);
    const alive = await fetch(`${p.publicURL}/health/alive`);
    assert.equal(alive.status, 200);
  });
});
