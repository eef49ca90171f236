import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { seedIdentity, seedLogin, seedSession, sessionCookieFor } from '../helpers/seed.js';
import { setCookies } from '../helpers/jar.js';
import { newSessionToken } from '../../src/x/tokens.js';
import { adm, setCookieLines, whoami, WHOAMI_401 } from './util.js';

forEachBackend('whoami', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(() => t.close());

  test('#54 no credentials: the exact Kratos 401 body, no id, no cookie of any kind', async () => {
    const res = await whoami(t);
    assert.equal(res.statusCode, 401);
    assert.equal(res.body, WHOAMI_401);
    // Kratos sends no charset on errors; Fastify 5 appends one to application/json (foundation's writer, reported).
    assert.match(String(res.headers['content-type']), /^application\/json\b/);
    assert.deepEqual(setCookieLines(res), []);
    assert.equal(res.headers['x-kratos-authenticated-identity-id'], undefined);
  });

  test('#55 with the session cookie: 200, identity header, session JSON without credentials or admin metadata, no Set-Cookie', async () => {
    const identity = await seedIdentity(t, { password: undefined, metadataAdmin: { secret: 'admin-only' }, metadataPublic: { plan: 'free' } });
    const s = await seedSession(t, identity, { ip: '203.0.113.9', userAgent: 'Mozilla/5.0 test' });
    const res = await whoami(t, { cookie: s.cookie });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.headers['x-kratos-authenticated-identity-id'], identity.id);
    assert.deepEqual(setCookieLines(res), []);
    const body = res.json();
    assert.deepEqual(Object.keys(body), [
      'id',
      'active',
      'expires_at',
      'authenticated_at',
      'authenticator_assurance_level',
      'authentication_methods',
      'issued_at',
      'identity',
      'devices',
    ]);
    assert.equal(body.id, s.session.id);
    assert.equal(body.active, true);
    assert.ok(Date.parse(body.expires_at) > Date.now() + 23 * 3600_000);
    assert.equal(body.authenticator_assurance_level, 'aal1');
    assert.equal(body.issued_at, body.authenticated_at);
    assert.equal(body.authentication_methods.length, 1);
    assert.deepEqual(Object.keys(body.authentication_methods[0]), ['method', 'aal', 'completed_at']);
    assert.equal(body.authentication_methods[0].method, 'password');
    assert.equal(body.authentication_methods[0].aal, 'aal1');
    assert.equal(body.identity.id, identity.id);
    assert.equal(body.identity.credentials, undefined);
    assert.equal(body.identity.metadata_admin, undefined);
    assert.deepEqual(body.identity.metadata_public, { plan: 'free' });
    assert.equal(body.identity.traits.email, identity.traits.email);
    assert.equal(body.devices.length, 1);
    assert.deepEqual(Object.keys(body.devices[0]), ['id', 'ip_address', 'user_agent', 'location']);
    assert.equal(body.devices[0].ip_address, '203.0.113.9');
    assert.equal(body.devices[0].user_agent, 'Mozilla/5.0 test');
    // Go's RFC 3339: UTC, no trailing zeros in the fraction.
    assert.match(body.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$/);
    assert.ok(!res.body.includes(s.token), 'the token is never part of the session JSON');
    assert.ok(!res.body.includes('ory_st_') && !res.body.includes('ory_lo_'));
  });

  test('#56 POST, PUT, PATCH and DELETE answer like GET; HEAD too; never a CSRF cookie', async () => {
    const s = await seedLogin(t);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'] as const) {
      const res = await whoami(t, { cookie: s.cookie }, method);
      assert.equal(res.statusCode, 200, method);
      assert.equal(res.json().id, s.session.id, method);
      assert.deepEqual(setCookieLines(res), [], method);
    }
    const head = await whoami(t, { cookie: s.cookie }, 'HEAD');
    assert.equal(head.statusCode, 200);
    const anon = await whoami(t, {}, 'POST');
    assert.equal(anon.statusCode, 401);
    assert.equal(anon.body, WHOAMI_401);
    assert.deepEqual(setCookieLines(anon), []);
  });

  test('X-Session-Token and every spelling of Bearer that Kratos accepts', async () => {
    const s = await seedLogin(t);
    const ok = [{ 'x-session-token': s.token }, ...['Bearer', 'bearer', 'beaRer', 'BEARER'].map((b) => ({ authorization: `${b} ${s.token}` }))];
    for (const headers of ok) {
      const res = await whoami(t, headers);
      assert.equal(res.statusCode, 200, JSON.stringify(Object.keys(headers)));
      assert.equal(res.json().id, s.session.id);
      assert.deepEqual(setCookieLines(res), [], 'token-based requests never get a cookie');
    }
  });

  test('wrong credentials are refused with the same 401 and never a 500', async () => {
    const s = await seedLogin(t);
    const bad: Array<Record<string, string>> = [
      { authorization: `notbearer ${s.token}` },
      { authorization: s.token },
      { authorization: `Bearer  ${s.token}` },
      { authorization: `Bearer ${s.token} x` },
      { authorization: 'Bearer ' },
      { authorization: '' },
      { 'x-session-token': newSessionToken() },
      { 'x-session-token': s.token.slice(0, -1) },
      { 'x-session-token': `${s.token} ` },
      { 'x-session-token': s.token.toUpperCase() },
      { 'x-session-token': t.app.registry.sessions.logoutToken(s.session.id) },
      { 'x-session-token': s.session.id },
      { 'x-session-token': 'x'.repeat(100_000) },
      { authorization: `Bearer ${'y'.repeat(5000)}` },
      { cookie: `${t.config.sessionCookie.name}=${s.token}` },
      { cookie: `${t.config.sessionCookie.name}=garbage` },
      { cookie: `${t.config.sessionCookie.name}=` },
      { cookie: `${t.config.sessionCookie.name}=%ZZ%00` },
      { cookie: `${t.config.sessionCookie.name}=${'A'.repeat(8000)}.${'B'.repeat(43)}` },
      { cookie: `${t.config.sessionCookie.name}="${s.cookieValue}"x` },
      { cookie: `${t.config.sessionCookie.name}=${s.cookieValue.slice(0, -2)}AA` },
      { cookie: `${t.config.sessionCookie.name}=${s.cookieValue.replace('.', '..')}` },
      { cookie: `other=${s.cookieValue}` },
    ];
    for (const headers of bad) {
      const res = await whoami(t, headers);
      assert.equal(res.statusCode, 401, JSON.stringify(headers).slice(0, 120));
      assert.equal(res.body, WHOAMI_401);
    }
  });

  test('a cookie signed with another secret, or tampered, does not verify', async () => {
    const other = await startApp({ backend: 'sqlite', config: { secrets: { default: ['another-secret-0123456789abcdef'] } } });
    try {
      const s = await seedLogin(t);
      // Same token, same session, but signed under a secret this server does not know.
      const forged = sessionCookieFor(other, s.token, s.session);
      assert.equal((await whoami(t, { cookie: forged })).statusCode, 401);
      // Re-signing the payload of a real cookie with a swapped token must fail too.
      const [body, sig] = s.cookieValue.split('.');
      const payload = Buffer.from(body, 'base64url').toString();
      const other2 = await seedLogin(t);
      const swapped = Buffer.from(payload.replace(s.token, other2.token)).toString('base64url');
      assert.equal((await whoami(t, { cookie: `${t.config.sessionCookie.name}=${swapped}.${sig}` })).statusCode, 401);
    } finally {
      await other.close();
    }
  });

  test('precedence: X-Session-Token, then the cookie, then Bearer; an unusable cookie falls back to Bearer', async () => {
    const a = await seedLogin(t);
    const b = await seedLogin(t);
    const name = t.config.sessionCookie.name;
    assert.equal((await whoami(t, { 'x-session-token': a.token, cookie: b.cookie, authorization: `Bearer ${b.token}` })).json().id, a.session.id);
    assert.equal((await whoami(t, { cookie: b.cookie, authorization: `Bearer ${a.token}` })).json().id, b.session.id);
    assert.equal((await whoami(t, { cookie: `${name}=garbage`, authorization: `Bearer ${a.token}` })).json().id, a.session.id);
    // Kratos answers this one with a 500 (securecookie error); Porta ignores the undecodable cookie.
    const res = await whoami(t, { cookie: `${name}=garbage`, 'x-session-token': a.token });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(setCookieLines(res), []);
    // An empty X-Session-Token does not count as a credential.
    assert.equal((await whoami(t, { 'x-session-token': '', cookie: b.cookie })).json().id, b.session.id);
    // Unrelated cookies around the session cookie are ignored.
    assert.equal((await whoami(t, { cookie: `a=1; ${b.cookie}; csrf_token_x=abc` })).json().id, b.session.id);
  });

  test('the cookie is re-issued only when the session outlived it, with Expires at the new expiry', async () => {
    const s = await seedLogin(t);
    // A cookie issued before an extension carries the older expiry.
    const stale = sessionCookieFor(t, s.token, { ...s.session, expiresAt: new Date(s.session.expiresAt.getTime() - 3600_000) });
    const res = await whoami(t, { cookie: stale });
    assert.equal(res.statusCode, 200);
    const cookies = setCookies(res.headers).filter((c) => c.name === t.config.sessionCookie.name);
    assert.equal(cookies.length, 1);
    const expires = Date.parse(cookies[0].attributes.expires as string);
    assert.ok(Math.abs(expires - s.session.expiresAt.getTime()) < 5000);
    assert.notEqual(cookies[0].value, s.cookieValue);
    // The new cookie works and is itself up to date.
    const again = await whoami(t, { cookie: `${cookies[0].name}=${cookies[0].value}` });
    assert.equal(again.statusCode, 200);
    assert.deepEqual(setCookieLines(again), []);
    // Token-based requests never get one, even for an extended session.
    assert.deepEqual(setCookieLines(await whoami(t, { 'x-session-token': s.token, cookie: stale })), []);
  });

  test('after an admin extend, a cookie-based whoami refreshes the cookie', async () => {
    const { session, cookie } = await seedLogin(t);
    await new Promise((r) => setTimeout(r, 20));
    const ext = await adm(t, 'PATCH', `/admin/sessions/${session.id}/extend`);
    assert.equal(ext.statusCode, 200);
    assert.ok(Date.parse(ext.json().expires_at) > session.expiresAt.getTime());
    const res = await whoami(t, { cookie });
    assert.equal(res.statusCode, 200);
    assert.equal(setCookies(res.headers).filter((c) => c.name === t.config.sessionCookie.name).length, 1);
  });

  test('every issuance of a cookie differs (nonce), and both verify', async () => {
    const s = await seedLogin(t);
    const c1 = sessionCookieFor(t, s.token, s.session);
    const c2 = sessionCookieFor(t, s.token, s.session);
    assert.notEqual(c1, c2);
    assert.equal((await whoami(t, { cookie: c1 })).statusCode, 200);
    assert.equal((await whoami(t, { cookie: c2 })).statusCode, 200);
  });

  test('a revoked session is refused at once, by every credential', async () => {
    const s = await seedLogin(t);
    assert.equal((await whoami(t, { cookie: s.cookie })).statusCode, 200);
    assert.equal((await adm(t, 'DELETE', `/admin/sessions/${s.session.id}`)).statusCode, 204);
    for (const h of [{ cookie: s.cookie }, { 'x-session-token': s.token }, { authorization: `Bearer ${s.token}` }]) {
      const res = await whoami(t, h);
      assert.equal(res.statusCode, 401);
      assert.equal(res.body, WHOAMI_401);
    }
  });

  test('an expired session is refused at once', async () => {
    const s = await seedLogin(t);
    await t.app.registry.persister.sessions.updateSession({ ...s.session, expiresAt: new Date(Date.now() - 1000) });
    assert.equal((await whoami(t, { 'x-session-token': s.token })).statusCode, 401);
    assert.equal((await whoami(t, { cookie: s.cookie })).statusCode, 401);
  });

  test('disabling the identity ends its sessions for every reader at once; enabling restores them', async () => {
    const s = await seedLogin(t);
    const other = await seedSession(t, s.identity);
    const ids = t.app.registry.persister.identities;
    await ids.updateIdentity({ ...s.identity, state: 'inactive' });
    assert.equal((await whoami(t, { cookie: s.cookie })).statusCode, 401);
    assert.equal((await whoami(t, { 'x-session-token': other.token })).statusCode, 401);
    const adminView = await adm(t, 'GET', `/admin/sessions/${s.session.id}`);
    assert.equal(adminView.statusCode, 200);
    assert.equal(adminView.json().active, false);
    const list = await adm(t, 'GET', `/admin/identities/${s.identity.id}/sessions`);
    assert.ok(list.json().every((x: { active: boolean }) => x.active === false));
    await ids.updateIdentity({ ...s.identity, state: 'active' });
    assert.equal((await whoami(t, { cookie: s.cookie })).statusCode, 200);
  });

  test('deleting the identity ends its sessions for every reader at once', async () => {
    const s = await seedLogin(t);
    assert.equal(await t.app.registry.persister.identities.deleteIdentity(s.identity.id), true);
    assert.equal((await whoami(t, { cookie: s.cookie })).statusCode, 401);
    assert.equal((await whoami(t, { 'x-session-token': s.token })).statusCode, 401);
    assert.equal((await adm(t, 'GET', `/admin/sessions/${s.session.id}`)).statusCode, 404);
  });

  test('a new login for the same identity gets a new token; a refresh login rotates the token of the same session', async () => {
    const s = await seedLogin(t);
    const second = await seedSession(t, s.identity);
    assert.notEqual(second.token, s.token);
    assert.notEqual(second.session.id, s.session.id);
    const refreshed = await seedSession(t, s.identity, { refresh: s.session });
    assert.equal(refreshed.session.id, s.session.id);
    assert.notEqual(refreshed.token, s.token);
    assert.equal(refreshed.session.authenticationMethods.length, 2);
    assert.equal((await whoami(t, { 'x-session-token': s.token })).statusCode, 401, 'the old token is dead after a refresh');
    const res = await whoami(t, { 'x-session-token': refreshed.token });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().id, s.session.id);
    assert.equal(res.json().authentication_methods.length, 2);
  });

  test('whoami does one store read and no password work', async () => {
    const s = await seedLogin(t);
    const manager = t.app.registry.sessions;
    const real = manager.deps.store;
    const calls: string[] = [];
    manager.deps.store = new Proxy(real, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (...args: unknown[]) => (calls.push(String(prop)), v.apply(target, args)) : v;
      },
    });
    const hasher = t.app.registry.hasher;
    const hashCalls: string[] = [];
    const saved = { hash: hasher.hash, verify: hasher.verify, burn: hasher.burn };
    hasher.hash = async (...a) => (hashCalls.push('hash'), saved.hash.apply(hasher, a));
    hasher.verify = async (...a) => (hashCalls.push('verify'), saved.verify.apply(hasher, a));
    hasher.burn = async (...a) => (hashCalls.push('burn'), saved.burn.apply(hasher, a));
    try {
      for (const h of [{ cookie: s.cookie }, { 'x-session-token': s.token }, { authorization: `Bearer ${s.token}` }, { 'x-session-token': newSessionToken() }]) {
        calls.length = 0;
        await whoami(t, h);
        assert.deepEqual(calls, ['getSessionByTokenHash']);
      }
      calls.length = 0;
      await whoami(t, {});
      assert.deepEqual(calls, [], 'no credential: no read at all');
      assert.deepEqual(hashCalls, []);
    } finally {
      manager.deps.store = real;
      Object.assign(hasher, saved);
    }
  });
});
