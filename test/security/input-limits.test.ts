import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { CookieJar } from '../helpers/jar.js';
import { FORM, apiFlow, browserFlow, csrfOf, post, type Kind } from '../selfservice/login/helpers.js';

type Json = Record<string, any>;

/** The stored flow as the database holds it, to prove that a refused body changed nothing. */
async function stored(t: TestApp, kind: Kind, id: string): Promise<Json> {
  const flow = await t.app.registry.persister.flows.getFlow(kind, id);
  assert.ok(flow, 'the flow exists');
  return JSON.parse(JSON.stringify(flow));
}

function assertLimitError(res: { status: number; headers: Record<string, any>; body: string }, reason: RegExp, what: string): void {
  assert.equal(res.status, 400, `${what}: ${res.body.slice(0, 300)}`);
  assert.match(String(res.headers['content-type']), /^application\/json/, what);
  const body = JSON.parse(res.body);
  assert.equal(body.error.code, 400, what);
  assert.equal(body.error.status, 'Bad Request', what);
  assert.equal(body.error.message, 'The request was malformed or contained invalid parameters', what);
  assert.match(body.error.reason, reason, what);
}

const deepKey = `traits.website${'.a'.repeat(5000)}`;
const nestedJson = (n: number) => `{"method":"password","traits":${'{"a":'.repeat(n)}"x"${'}'.repeat(n)}}`;

/** [name, content type, body, expected reason]: each body crosses one bound and nothing else. */
const HOSTILE: Array<[string, string, string, RegExp]> = [
  ['form key 5000 levels deep', FORM, `method=password&${deepKey}=https://example.org`, /longer than 1024 characters|nested deeper/],
  ['form key 40 levels deep', FORM, `method=password&traits${'.a'.repeat(40)}=x`, /nested deeper than 32 levels/],
  ['JSON 40 levels deep', 'application/json', nestedJson(40), /nested deeper than 32 levels/],
  ['JSON dotted key 40 levels deep', 'application/json', `{"method":"password","traits${'.a'.repeat(40)}":"x"}`, /nested deeper than 32 levels/],
  ['form array index 10^8', FORM, 'method=password&traits.email.100000000=x', /array index/],
  ['JSON array index 10^8', 'application/json', '{"method":"password","traits.email.100000000":"x"}', /array index/],
  ['2000 form fields', FORM, Array.from({ length: 2000 }, (_, i) => `f${i}=x`).join('&'), /more than 1000 fields/],
  ['2000 repeated form values', FORM, 'method=password&' + 'traits.email=x&'.repeat(2000), /more than 1000 fields/],
  ['JSON array of 5000', 'application/json', `{"method":"password","traits":{"email":[${Array(5000).fill('"x"').join(',')}]}}`, /more than 1000 fields/],
  ['form value of 100 000 chars', FORM, `method=password&traits.email=${'a'.repeat(100_000)}`, /longer than 65536 characters/],
  ['number-typed trait of 100 000 digits', FORM, `method=password&traits.age=${'1'.repeat(100_000)}x`, /longer than 65536 characters/],
  ['JSON value of 100 000 chars', 'application/json', `{"method":"password","password":"${'a'.repeat(100_000)}"}`, /longer than 65536 characters/],
  ['multipart value of 100 000 chars', 'multipart/form-data; boundary=b', `--b\r\nContent-Disposition: form-data; name="password"\r\n\r\n${'a'.repeat(100_000)}\r\n--b--\r\n`, /longer than 65536/],
];

forEachBackend('self-service bodies beyond the input limits: 400, stored flow unchanged', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(async () => t.close());

  for (const kind of ['registration', 'login'] as const) {
    test(`${kind}: API flows`, async () => {
      for (const [name, type, body, reason] of HOSTILE) {
        const flow = await apiFlow(t, kind);
        const before = await stored(t, kind, flow.id);
        const res = await post(t, `/self-service/${kind}?flow=${flow.id}`, body, { 'content-type': type, accept: 'application/json' });
        assertLimitError(res, reason, `${kind} api ${name}`);
        assert.deepEqual(await stored(t, kind, flow.id), before, `${kind} api ${name}: the flow is unchanged`);
      }
    });

    test(`${kind}: browser flows (form posts and SPA)`, async () => {
      for (const [name, type, body, reason] of HOSTILE) {
        const jar = new CookieJar();
        const flow = await browserFlow(t, kind, jar);
        const before = await stored(t, kind, flow.id);
        // The CSRF token is valid: the refusal comes from the body's shape, not from a CSRF failure.
        const withCsrf = type === FORM ? `csrf_token=${encodeURIComponent(csrfOf(flow))}&${body}` : body;
        for (const accept of ['text/html', 'application/json']) {
          const res = await post(t, `/self-service/${kind}?flow=${flow.id}`, withCsrf, { 'content-type': type, accept, cookie: jar.header() });
          assertLimitError(res, reason, `${kind} browser ${accept} ${name}`);
        }
        assert.deepEqual(await stored(t, kind, flow.id), before, `${kind} browser ${name}: the flow is unchanged`);
      }
    });
  }

  test('bodies within the limits still decode and validate as before', async () => {
    const flow = await apiFlow(t, 'registration');
    const res = await post(t, `/self-service/registration?flow=${flow.id}`, `method=password&traits.email=x&traits.age=${'1'.repeat(60_000)}x&password=x`, {
      'content-type': FORM,
      accept: 'application/json',
    });
    // A number-typed trait that is not a number stays a string, and the schema says so in the flow.
    assert.equal(res.status, 400, res.body.slice(0, 300));
    const age = res.json().ui.nodes.find((n: Json) => n.attributes.name === 'traits.age');
    assert.ok(age.messages.some((m: Json) => /expected number, but got string/.test(m.text)), JSON.stringify(age.messages).slice(0, 300));
    for (const [value, expected] of [['42', 42], ['-1.5', -1.5], ['.5', 0.5], ['3.', 3], ['1e2', 100], ['+7', 7]] as const) {
      const f = await apiFlow(t, 'registration');
      const r = await post(t, `/self-service/registration?flow=${f.id}`, `method=password&traits.age=${encodeURIComponent(value)}`, { 'content-type': FORM, accept: 'application/json' });
      const node = r.json().ui.nodes.find((n: Json) => n.attributes.name === 'traits.age');
      assert.equal(node.attributes.value, expected, `traits.age=${value}`);
    }
  });
});

forEachBackend('admin identity bodies beyond the input limits', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(async () => t.close());

  test('a 1 MiB trait or metadata value is a 400 and nothing is stored', async () => {
    const big = 'a'.repeat(1024 * 1024);
    const bodies = [
      { schema_id: 'default', traits: { email: 'big@example.org', website: `https://example.org/${big}` } },
      { schema_id: 'default', traits: { email: 'big@example.org', website: 'https://example.org/' }, metadata_public: { note: big } },
      { schema_id: 'default', traits: { email: 'big@example.org', website: 'https://example.org/' }, credentials: { password: { config: { password: big } } } },
      { schema_id: 'default', traits: { email: 'big@example.org', website: 'https://example.org/', [`k${big.slice(0, 2000)}`]: 1 } },
    ];
    for (const body of bodies) {
      const res = await t.app.admin.inject({ method: 'POST', url: '/admin/identities', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      assert.equal(res.statusCode, 400, res.body.slice(0, 300));
      assert.match(res.json().error.reason, /longer than/);
    }
    assert.equal(await t.app.registry.persister.identities.countIdentities(), 0);
  });
});
