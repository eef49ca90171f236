import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { CookieJar } from '../../helpers/jar.js';
import { CSRF_NAME, apiFlow, browserFlow, csrfOf, get, post } from './helpers.js';

const deep = (n: number) => '{"traits":'.repeat(n) + '1' + '}'.repeat(n);
const BODIES: Array<[string, string | Buffer]> = [
  ['application/json', '[1,2]'],
  ['application/json', '"password"'],
  ['application/json', 'null'],
  ['application/json', '{"method":'],
  ['application/json', '{"traits":"x","method":"password","password":"l3f9toh1uaf81n21"}'],
  ['application/json', '{"traits":[1,2],"method":"password","password":"l3f9toh1uaf81n21"}'],
  ['application/json', '{"method":["password","x"],"identifier":{"a":1},"password":1}'],
  ['application/json', '{"__proto__":{"method":"password"},"constructor":{"prototype":{"x":1}}}'],
  ['application/json', '{"method":"password","traits.__proto__.polluted":"yes","traits.email":"p@example.org","password":"l3f9toh1uaf81n21"}'],
  ['application/json', deep(5000)],
  ['application/json', `{"transient_payload":${'['.repeat(3000)}${']'.repeat(3000)},"method":"password"}`],
  ['application/json', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
  ['application/x-www-form-urlencoded', Buffer.from([0x61, 0x3d, 0xff, 0xfe])],
  ['application/x-www-form-urlencoded', 'method=password&traits.email.x=1&traits=2&password=%zz'],
  ['application/x-www-form-urlencoded', 'method=password&traits.age=abc&traits.tos=maybe&traits.email=a%40b.org&password=l3f9toh1uaf81n21'],
  ['application/x-www-form-urlencoded', `method=password&identifier=${'a'.repeat(100_000)}&password=x`],
  ['text/plain', 'method=password'],
  ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="method"\r\n\r\npassword\r\n--x--'],
  ['', 'method=password'],
];

forEachBackend('login and registration refuse malformed input with 4xx', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(async () => t.close());

  test('bad query values on every flow endpoint', async () => {
    for (const kind of ['login', 'registration']) {
      for (const url of [
        `/self-service/${kind}/browser?return_to=%zz`,
        `/self-service/${kind}/api?refresh=%E0%A4%A`,
        `/self-service/${kind}/flows?id=%zz`,
        `/self-service/${kind}/flows?id=${'a'.repeat(10_000)}`,
        `/self-service/${kind}/browser?return_to=javascript:alert(1)`,
        `/self-service/${kind}/browser?return_to=https://a.example&return_to=https://b.example`,
      ]) {
        const res = await get(t, url, { accept: 'application/json' });
        assert.ok(res.status >= 400 && res.status < 500, `${url} → ${res.status} ${res.body}`);
      }
      const sub = await post(t, `/self-service/${kind}?flow=%zz`, '{}', { 'content-type': 'application/json' });
      assert.equal(sub.status, 400);
    }
  });

  test('garbage cookies are ignored, never a 500', async () => {
    for (const cookie of [`${CSRF_NAME}=%%%`, `${CSRF_NAME}=${'A'.repeat(8000)}`, 'ory_kratos_session=garbage', 'ory_kratos_session=', '=;;=', `a=${'x'.repeat(7000)}`]) {
      for (const url of ['/self-service/login/browser', '/self-service/registration/browser', '/self-service/login/api']) {
        const res = await get(t, url, { cookie });
        assert.ok(res.status < 500, `${url} ${cookie.slice(0, 30)} → ${res.status}`);
      }
    }
  });

  test('hostile bodies on API and browser flows of both kinds: 4xx, nothing stored', async () => {
    const before = await t.app.registry.persister.identities.countIdentities();
    for (const kind of ['login', 'registration'] as const) {
      for (const [type, body] of BODIES) {
        const api = await apiFlow(t, kind);
        const headers: Record<string, string> = { accept: 'application/json' };
        if (type) headers['content-type'] = type;
        const res = await post(t, `/self-service/${kind}?flow=${api.id}`, body as string, headers);
        assert.ok(res.status >= 400 && res.status < 500, `${kind} api ${type} ${String(body).slice(0, 40)} → ${res.status} ${res.body.slice(0, 300)}`);
        const jar = new CookieJar();
        const flow = await browserFlow(t, kind, jar);
        const b = await post(t, `/self-service/${kind}?flow=${flow.id}`, body as string, { ...headers, accept: 'text/html', cookie: jar.header() });
        assert.ok([302, 303, 400, 403, 413].includes(b.status), `${kind} browser ${type} → ${b.status} ${b.body.slice(0, 300)}`);
        assert.equal(csrfOf((await get(t, `/self-service/${kind}/flows?id=${flow.id}`, { cookie: jar.header() })).json()).length, 88);
      }
    }
    assert.equal(await t.app.registry.persister.identities.countIdentities(), before);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const big = await post(t, `/self-service/login?flow=${(await apiFlow(t, 'login')).id}`, 'a'.repeat(6 * 1024 * 1024), { 'content-type': 'application/json' });
    assert.equal(big.status, 413);
  });
});
