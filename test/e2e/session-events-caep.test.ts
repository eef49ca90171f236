import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, decodeJwt } from 'jose';
import { forEachSpawnBackend, spawnPorta, tempDir, type Backend, type PortaProcess } from '../helpers/spawn.js';
import { CaptureServer, type Captured } from '../helpers/capture.js';
import { browserLogin, call, createIdentity, JSON_ACCEPT, nativeLogin } from './client.js';
import { logoutPath } from './logout-checks.js';

// hooks-and-session-events-spec Part D 63-66: CAEP session-revoked SETs pushed per RFC 8935, verified
// against the published JWKS with jose, as a receiver would.
const REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const ISSUER = 'https://auth.example.test';

function keysFile(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const file = join(tempDir('porta-ssf-'), 'ssf.jwks.json');
  writeFileSync(file, JSON.stringify({ keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'k1' }] }));
  return pathToFileURL(file).href;
}

forEachSpawnBackend('session events, CAEP SET', (backend: Backend) => {
  let r: CaptureServer;
  let p: PortaProcess;
  before(async () => {
    r = await CaptureServer.start();
    r.fallback = { status: 202 };
    p = await spawnPorta({
      backend,
      config: {
        porta: {
          session_events: {
            receivers: [{ id: 'caep', url: `${r.url}/ssf/push`, format: 'caep_set', audience: 'https://rp', authorization_header: 'Bearer abc' }],
            delivery: { initial_interval: '50ms', timeout: '1s', poll_interval: '100ms', max_interval: '1s' },
            set: { issuer: ISSUER, signing_keys: keysFile() },
          },
        },
      },
    });
  });
  after(async () => {
    await p?.stop();
    await r?.close();
  });

  const pushes = (c: Captured) => c.path === '/ssf/push';
  const claimsOf = (c: Captured) => decodeJwt(c.body) as any;
  const forSession = (sid: string) => (c: Captured) => pushes(c) && claimsOf(c).sub_id?.session?.id === sid;
  const verify = (jws: string) =>
    jwtVerify(jws, createRemoteJWKSet(new URL(`${p.publicURL}/porta/ssf/jwks.json`)), { issuer: ISSUER, audience: 'https://rp', typ: 'secevent+jwt' });

  test('discovery document and JWKS (64)', async () => {
    const res = await call(`${p.publicURL}/.well-known/ssf-configuration`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(res.body, {
      spec_version: '1_0',
      issuer: ISSUER,
      jwks_uri: `${p.publicURL}/porta/ssf/jwks.json`,
      delivery_methods_supported: ['urn:ietf:rfc:8935'],
      default_subjects: 'ALL',
    });
    const jwks = await call(`${p.publicURL}/porta/ssf/jwks.json`);
    assert.equal(jwks.status, 200);
    assert.equal(jwks.body.keys.length, 1);
    const [k] = jwks.body.keys;
    assert.deepEqual([k.kid, k.alg, k.use, k.kty], ['k1', 'RS256', 'sig', 'RSA']);
    assert.equal(k.d, undefined, 'no private part');
  });

  test('browser logout: a session-revoked SET that verifies with the published JWKS (63)', async () => {
    const { id, email } = await createIdentity(p.adminURL);
    const s = await browserLogin(p.publicURL, email);
    const out = await call(`${p.publicURL}${await logoutPath(p.publicURL, { cookie: s.cookie })}`, { headers: { ...JSON_ACCEPT, cookie: s.cookie } });
    assert.equal(out.status, 204);
    const [req] = await r.waitFor(1, 15_000, forSession(s.sessionId));
    assert.equal(req.method, 'POST');
    assert.equal(req.headers['content-type'], 'application/secevent+jwt');
    assert.equal(req.headers.accept, 'application/json');
    assert.equal(req.headers.authorization, 'Bearer abc');
    const header = decodeProtectedHeader(req.body);
    assert.deepEqual([header.typ, header.kid, header.alg], ['secevent+jwt', 'k1', 'RS256']);
    const { payload } = await verify(req.body);
    const c = payload as any;
    assert.equal(c.iss, ISSUER);
    assert.equal(c.aud, 'https://rp');
    assert.equal(typeof c.iat, 'number');
    assert.equal(typeof c.jti, 'string');
    assert.equal(typeof c.txn, 'string');
    assert.equal(c.sub, undefined);
    assert.equal(c.exp, undefined);
    assert.deepEqual(c.sub_id, { format: 'complex', session: { format: 'opaque', id: s.sessionId }, user: { format: 'iss_sub', iss: ISSUER, sub: id } });
    assert.deepEqual(Object.keys(c.events), [REVOKED]);
    const ev = c.events[REVOKED];
    assert.deepEqual([ev.initiating_entity, ev.reason_admin], ['user', { en: 'self_service_logout' }]);
    assert.ok(Number.isInteger(ev.event_timestamp) && Math.abs(ev.event_timestamp - Date.now() / 1000) < 60);
  });

  test('400 with an RFC 8935 err: failed, no retry; 503 then 202: the resend carries the same claims (65)', async () => {
    const { email } = await createIdentity(p.adminURL);
    const a = await nativeLogin(p.publicURL, email);
    const b = await nativeLogin(p.publicURL, email);
    r.script.push({ status: 400, body: '{"err":"invalid_audience","description":"x"}' });
    await call(`${p.publicURL}/self-service/logout/api`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session_token: a.token }) });
    const [failed] = await r.waitFor(1, 15_000, forSession(a.sessionId));
    const jti = claimsOf(failed).jti;
    const deadline = Date.now() + 15_000;
    let d: any;
    do {
      await new Promise((res) => setTimeout(res, 50));
      d = ((await call(`${p.adminURL}/admin/porta/session-events/deliveries?state=failed`)).body as any[]).find((x) => x.id === jti);
    } while (!d && Date.now() < deadline);
    assert.ok(d, 'the delivery is failed');
    assert.equal(d.last_status, 400);
    assert.match(d.last_error, /invalid_audience/);

    r.script.push({ status: 503 });
    await call(`${p.publicURL}/self-service/logout/api`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session_token: b.token }) });
    const two = await r.waitFor(2, 15_000, forSession(b.sessionId));
    assert.deepEqual(claimsOf(two[1]), claimsOf(two[0]));
    await verify(two[1].body);
    assert.equal(r.requests.filter(forSession(a.sessionId)).length, 1);
  });

  test('verification SET on request; unknown receiver 404 (66)', async () => {
    const res = await call(`${p.adminURL}/admin/porta/session-events/receivers/caep/verification`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"state":"s1"}',
    });
    assert.equal(res.status, 204);
    const [got] = await r.waitFor(1, 15_000, (c) => pushes(c) && claimsOf(c).sub_id?.format === 'opaque');
    const { payload } = await verify(got.body);
    assert.deepEqual((payload as any).events, { 'https://schemas.openid.net/secevent/ssf/event-type/verification': { state: 's1' } });
    assert.deepEqual((payload as any).sub_id, { format: 'opaque', id: 'caep' });
    const unknown = await call(`${p.adminURL}/admin/porta/session-events/receivers/other/verification`, { method: 'POST' });
    assert.equal(unknown.status, 404);
  });
});
