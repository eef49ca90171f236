import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CookieJar } from '../../helpers/jar.js';
import { seedIdentity } from '../../helpers/seed.js';
import { FORM, INVALID_CREDENTIALS, PASSWORD, apiFlow, browserFlow, csrfOf, form, get, nodeOf, spaFlow } from './helpers.js';

type Json = Record<string, any>;

// Tiny limits so each case needs a handful of attempts; the throttle's clock is driven by the test.
const THROTTLE = { free_failures: 2, max_backoff: '8s', per_identifier: 8, per_ip: 12, window: '1m' };
const config = { porta: { login_throttle: THROTTLE, trusted_proxies: ['10.9.0.0/16', 'fd00::/8'] } };
const T0 = Date.parse('2026-12-06T12:00:00Z');

interface Attempt {
  ip: string;
  identifier: string;
  password?: string;
  xff?: string;
}

/** A native (API flow) submit from `ip`, optionally through a proxy that sent X-Forwarded-For. */
async function apiSubmit(t: TestApp, a: Attempt): Promise<{ status: number; headers: Json; json: () => any }> {
  const flow = await apiFlow(t, 'login');
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (a.xff !== undefined) headers['x-forwarded-for'] = a.xff;
  const r = await t.app.public.inject({
    method: 'POST',
    url: `/self-service/login?flow=${flow.id}`,
    remoteAddress: a.ip,
    headers,
    payload: JSON.stringify({ method: 'password', identifier: a.identifier, password: a.password ?? 'wrong-password' }),
  });
  return { status: r.statusCode, headers: r.headers, json: () => r.json() };
}

function assertThrottled(r: { status: number; headers: Json; json: () => any }, seconds: number): void {
  assert.equal(r.status, 429);
  assert.equal(r.headers['retry-after'], String(seconds));
  assert.equal(r.headers['content-type'], 'application/json');
  const text = `Too many failed login attempts. Please wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`;
  assert.deepEqual(r.json(), {
    error: {
      id: 'self_service_login_throttled',
      code: 429,
      status: 'Too Many Requests',
      reason: text,
      details: { retry_after_seconds: seconds },
      message: 'too many failed login attempts',
    },
  });
}

const failed = (r: { status: number; json: () => any }) => {
  assert.equal(r.status, 400);
  assert.deepEqual(r.json().ui.messages, [{ id: 4000006, text: INVALID_CREDENTIALS, type: 'error' }]);
};

forEachBackend('login throttling', (backend) => {
  let t: TestApp;
  let clock = T0;
  const advance = (ms: number) => {
    clock += ms;
  };
  before(async () => {
    t = await startApp({ backend, config });
    t.app.registry.loginThrottle.now = () => clock;
  });
  after(async () => t.close());

  const user = async (name: string) => (await seedIdentity(t, { email: `${name}@example.org`, password: PASSWORD })).traits.email as string;

  test('after the free failures each attempt waits twice as long, capped; even the right password is not evaluated; a success resets', async () => {
    const id = await user('backoff');
    const ip = '10.0.0.1';
    failed(await apiSubmit(t, { ip, identifier: id }));
    failed(await apiSubmit(t, { ip, identifier: id }));
    assertThrottled(await apiSubmit(t, { ip, identifier: id, password: PASSWORD }), 1);
    advance(1000);
    failed(await apiSubmit(t, { ip, identifier: id }));
    assertThrottled(await apiSubmit(t, { ip, identifier: id }), 2);
    advance(2000);
    failed(await apiSubmit(t, { ip, identifier: id }));
    assertThrottled(await apiSubmit(t, { ip, identifier: id }), 4);
    // Refused attempts do not count: after waiting out the announced time the next one is evaluated.
    advance(4000);
    failed(await apiSubmit(t, { ip, identifier: id }));
    assertThrottled(await apiSubmit(t, { ip, identifier: id }), 8);
    advance(8000);
    assert.equal((await apiSubmit(t, { ip, identifier: id, password: PASSWORD })).status, 200);
    failed(await apiSubmit(t, { ip, identifier: id }));
    failed(await apiSubmit(t, { ip, identifier: id }));
    assertThrottled(await apiSubmit(t, { ip, identifier: id }), 1);
  });

  test('the backoff is per client IP: the owner on another IP logs in', async () => {
    const id = await user('other-ip');
    failed(await apiSubmit(t, { ip: '10.0.1.1', identifier: id }));
    failed(await apiSubmit(t, { ip: '10.0.1.1', identifier: id }));
    assertThrottled(await apiSubmit(t, { ip: '10.0.1.1', identifier: id, password: PASSWORD }), 1);
    assert.equal((await apiSubmit(t, { ip: '10.0.1.2', identifier: id, password: PASSWORD })).status, 200);
    assert.equal((await apiSubmit(t, { ip: '2001:db8::7', identifier: id, password: PASSWORD })).status, 200);
  });

  test('an unknown identifier gets exactly the answers of a known one; identifiers are normalised as login does', async () => {
    const known = await user('known');
    const answers = async (ip: string, identifier: string, variant: string) => {
      const a = await apiSubmit(t, { ip, identifier });
      const b = await apiSubmit(t, { ip, identifier: variant });
      const c = await apiSubmit(t, { ip, identifier });
      return [a.status, a.json().ui.messages, b.status, b.json().ui.messages, c.status, c.headers['retry-after'], c.json()];
    };
    const k = await answers('10.0.2.1', known, `  ${known.toUpperCase()} `);
    const u = await answers('10.0.2.2', 'nobody@example.org', ' NOBODY@example.org');
    assert.deepEqual(u, k);
    assert.equal(k[4], 429);
  });

  test('per identifier across IPs and per IP across identifiers, a cap per window', async () => {
    const id = await user('stuffed');
    for (let i = 1; i <= THROTTLE.per_identifier; i++) failed(await apiSubmit(t, { ip: `10.0.3.${i}`, identifier: id }));
    assertThrottled(await apiSubmit(t, { ip: '10.0.3.100', identifier: id, password: PASSWORD }), 60);
    advance(60_000);
    assert.equal((await apiSubmit(t, { ip: '10.0.3.100', identifier: id, password: PASSWORD })).status, 200);

    for (let i = 1; i <= THROTTLE.per_ip; i++) failed(await apiSubmit(t, { ip: '10.0.4.1', identifier: `guess-${i}@example.org` }));
    assertThrottled(await apiSubmit(t, { ip: '10.0.4.1', identifier: 'guess-new@example.org' }), 60);
    failed(await apiSubmit(t, { ip: '10.0.4.2', identifier: 'guess-new@example.org' }));
  });

  test('a burst of parallel attempts gets only the free failures evaluated', async () => {
    const id = await user('burst');
    const all = await Promise.all(Array.from({ length: 10 }, () => apiSubmit(t, { ip: '10.0.5.1', identifier: id })));
    assert.deepEqual(all.map((r) => r.status).sort(), [400, 400, 429, 429, 429, 429, 429, 429, 429, 429]);
  });

  test('SPA submit: 429 with Retry-After in the Kratos error format', async () => {
    const id = await user('spa');
    const jar = new CookieJar();
    const flow = await spaFlow(t, 'login', jar);
    const submit = () =>
      t.app.public.inject({
        method: 'POST',
        url: `/self-service/login?flow=${flow.id}`,
        remoteAddress: '10.0.6.1',
        headers: { 'content-type': 'application/json', accept: 'application/json', cookie: jar.header() },
        payload: JSON.stringify({ method: 'password', identifier: id, password: 'wrong-password', csrf_token: csrfOf(flow) }),
      });
    assert.equal((await submit()).statusCode, 400);
    assert.equal((await submit()).statusCode, 400);
    const r = await submit();
    assertThrottled({ status: r.statusCode, headers: r.headers, json: () => r.json() }, 1);
  });

  test('browser submit: back to the login UI, the flow carries message 4000429 and keeps the identifier', async () => {
    const id = await user('browser');
    const jar = new CookieJar();
    const flow = await browserFlow(t, 'login', jar);
    const submit = async (password: string) => {
      const r = await t.app.public.inject({
        method: 'POST',
        url: `/self-service/login?flow=${flow.id}`,
        remoteAddress: '10.0.7.1',
        headers: { 'content-type': FORM, accept: 'text/html', cookie: jar.header() },
        payload: form({ method: 'password', identifier: id, password, csrf_token: csrfOf(flow) }),
      });
      jar.store(r.headers);
      return r;
    };
    await submit('wrong-password');
    await submit('wrong-password');
    const r = await submit(PASSWORD);
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers.location, `http://localhost:4455/login?flow=${flow.id}`);
    assert.equal(String(r.headers['set-cookie'] ?? '').includes('ory_kratos_session'), false);
    const after = (await get(t, `/self-service/login/flows?id=${flow.id}`, { cookie: jar.header() })).json();
    assert.deepEqual(after.ui.messages, [
      { id: 4000429, text: 'Too many failed login attempts. Please wait 1 second and try again.', type: 'error', context: { retry_after_seconds: 1 } },
    ]);
    assert.equal(nodeOf(after, 'identifier').attributes.value, id);
  });

  test('X-Forwarded-For counts only from a trusted proxy, walked from the right', async () => {
    const id = await user('proxied');
    // An untrusted peer: whatever it claims, it is one client.
    failed(await apiSubmit(t, { ip: '10.0.8.1', identifier: id, xff: '198.51.100.1' }));
    failed(await apiSubmit(t, { ip: '10.0.8.1', identifier: id, xff: '198.51.100.2' }));
    assertThrottled(await apiSubmit(t, { ip: '10.0.8.1', identifier: id, xff: '198.51.100.3' }), 1);
    // Through the trusted proxy 10.9.0.5 (and an inner trusted hop): the client is 203.0.113.7.
    failed(await apiSubmit(t, { ip: '10.9.0.5', identifier: id, xff: '203.0.113.7' }));
    failed(await apiSubmit(t, { ip: '::ffff:10.9.0.5', identifier: id, xff: '203.0.113.7, 10.9.1.1' }));
    // A forged left entry does not change the client.
    assertThrottled(await apiSubmit(t, { ip: '10.9.0.5', identifier: id, xff: '192.0.2.44, 203.0.113.7' }), 1);
    // Another client behind the same proxy is not throttled.
    failed(await apiSubmit(t, { ip: '10.9.0.5', identifier: id, xff: '203.0.113.8' }));
    // Garbage ends the walk at the proxy that forwarded it: all such requests count as the proxy's.
    failed(await apiSubmit(t, { ip: '10.9.0.6', identifier: id, xff: 'not-an-ip' }));
    failed(await apiSubmit(t, { ip: '10.9.0.6', identifier: id, xff: 'still, not an ip' }));
    assertThrottled(await apiSubmit(t, { ip: '10.9.0.6', identifier: id, xff: 'x' }), 1);
    assert.equal((await apiSubmit(t, { ip: 'fd00::1', identifier: id, xff: '2001:db8::1', password: PASSWORD })).status, 200);
  });

  test('two Porta processes on one database share the counters', async () => {
    const dsn = backend === 'postgres' ? undefined : `sqlite://${join(mkdtempSync(join(tmpdir(), 'porta-throttle-')), 'db.sqlite')}?_fk=true`;
    const a = await startApp({ backend, config, dsn });
    const b = await startApp({ backend, config, dsn: a.dsn });
    try {
      for (const x of [a, b]) x.app.registry.loginThrottle.now = () => clock;
      await seedIdentity(a, { email: 'shared@example.org', password: PASSWORD });
      failed(await apiSubmit(a, { ip: '10.0.9.1', identifier: 'shared@example.org' }));
      failed(await apiSubmit(b, { ip: '10.0.9.1', identifier: 'shared@example.org' }));
      assertThrottled(await apiSubmit(a, { ip: '10.0.9.1', identifier: 'shared@example.org', password: PASSWORD }), 1);
      assertThrottled(await apiSubmit(b, { ip: '10.0.9.1', identifier: 'shared@example.org', password: PASSWORD }), 1);
      advance(1000);
      assert.equal((await apiSubmit(b, { ip: '10.0.9.1', identifier: 'shared@example.org', password: PASSWORD })).status, 200);
    } finally {
      await b.app.close();
      await a.close();
    }
  });
});

test('porta.trusted_proxies entries must be addresses or CIDR ranges; throttling can be turned off', async () => {
  for (const bad of ['10.0.0.0/33', 'proxy.example.com', '10.0.0.1/', '10.0.0.0/08', 'fd00::/129']) {
    await assert.rejects(startApp({ config: { porta: { trusted_proxies: [bad] } } }), (err: Error) => err.message.includes('porta.trusted_proxies') && err.message.includes(bad));
  }
  const t = await startApp({ config: { porta: { login_throttle: { ...THROTTLE, enabled: false } } } });
  try {
    await seedIdentity(t, { email: 'off@example.org', password: PASSWORD });
    for (let i = 0; i < 5; i++) failed(await apiSubmit(t, { ip: '10.0.10.1', identifier: 'off@example.org' }));
    assert.equal((await apiSubmit(t, { ip: '10.0.10.1', identifier: 'off@example.org', password: PASSWORD })).status, 200);
  } finally {
    await t.close();
  }
});
