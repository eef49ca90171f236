import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { startApp, type TestApp } from '../helpers/harness.js';
import { seedLogin, sessionCookieFor } from '../helpers/seed.js';
import { setCookies, type SetCookie } from '../helpers/jar.js';
import { decodeSessionCookie, encodeSessionCookie } from '../../src/session/cookie.js';
import { whoami } from './util.js';

/** Captures what issueCookie / clearCookie write, without a route. */
function capture(): { reply: FastifyReply; lines: string[] } {
  const lines: string[] = [];
  const reply = { header: (k: string, v: string) => (k === 'set-cookie' && lines.push(v), reply) } as unknown as FastifyReply;
  return { reply, lines };
}

async function issued(config: Record<string, unknown>): Promise<{ t: TestApp; set: SetCookie; clear: SetCookie; expiresAt: Date }> {
  const t = await startApp({ config });
  const s = await seedLogin(t);
  const a = capture();
  t.app.registry.sessions.issueCookie(a.reply, s.token, s.session);
  const b = capture();
  t.app.registry.sessions.clearCookie(b.reply);
  const [set] = setCookies({ 'set-cookie': a.lines });
  const [clear] = setCookies({ 'set-cookie': b.lines });
  return { t, set, clear, expiresAt: s.session.expiresAt };
}

describe('session cookie attributes', () => {
  test('defaults (dev=false): ory_kratos_session, Path=/, no Domain, HttpOnly, Secure, SameSite=Lax, Max-Age to expiry', async () => {
    const { t, set, clear, expiresAt } = await issued({ dev: false });
    try {
      assert.equal(set.name, 'ory_kratos_session');
      assert.equal(set.attributes.path, '/');
      assert.equal(set.attributes.domain, undefined);
      assert.equal(set.attributes.httponly, true);
      assert.equal(set.attributes.secure, true);
      assert.equal(set.attributes.samesite, 'Lax');
      const maxAge = Number(set.attributes['max-age']);
      assert.ok(Math.abs(maxAge - 24 * 3600) <= 2, `max-age ${maxAge}`);
      assert.ok(Math.abs(Date.parse(set.attributes.expires as string) - expiresAt.getTime()) < 5000);
      assert.match(set.value, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
      // Clearing: same name and scope, Max-Age=0 and the 1970 Expires.
      assert.equal(clear.name, 'ory_kratos_session');
      assert.equal(clear.attributes.path, '/');
      assert.equal(clear.attributes.domain, undefined);
      assert.equal(clear.attributes.httponly, true);
      assert.equal(clear.attributes.secure, true);
      assert.equal(clear.attributes.samesite, 'Lax');
      assert.equal(clear.attributes['max-age'], '0');
      assert.equal(clear.attributes.expires, 'Thu, 01 Jan 1970 00:00:01 GMT');
    } finally {
      await t.close();
    }
  });

  test('dev mode drops Secure', async () => {
    const { t, set, clear } = await issued({ dev: true });
    try {
      assert.equal(set.attributes.secure, undefined);
      assert.equal(clear.attributes.secure, undefined);
      assert.equal(set.attributes.httponly, true);
    } finally {
      await t.close();
    }
  });

  test('cookies.* customise the session cookie (Path /cookie, Domain cookie.com, SameSite Strict)', async () => {
    const { t, set, clear } = await issued({ dev: false, cookies: { path: '/cookie', domain: 'cookie.com', same_site: 'Strict' } });
    try {
      for (const c of [set, clear]) {
        assert.equal(c.attributes.path, '/cookie');
        assert.equal(c.attributes.domain, 'cookie.com');
        assert.equal(c.attributes.samesite, 'Strict');
      }
    } finally {
      await t.close();
    }
  });

  test('session.cookie.* win over cookies.* (Path /session, Domain session.com, SameSite None, name, secure)', async () => {
    const { t, set, clear } = await issued({
      dev: true,
      cookies: { path: '/cookie', domain: 'cookie.com', same_site: 'Strict' },
      session: { cookie: { name: 'my_session', path: '/session', domain: 'session.com', same_site: 'None', secure: true } },
    });
    try {
      for (const c of [set, clear]) {
        assert.equal(c.name, 'my_session');
        assert.equal(c.attributes.path, '/session');
        assert.equal(c.attributes.domain, 'session.com');
        assert.equal(c.attributes.samesite, 'None');
        assert.equal(c.attributes.secure, true, 'session.cookie.secure overrides dev');
      }
      // The renamed cookie is the one whoami reads.
      const s = await seedLogin(t);
      assert.equal((await whoami(t, { cookie: s.cookie })).statusCode, 200);
      assert.ok(s.cookie.startsWith('my_session='));
      assert.equal((await whoami(t, { cookie: `ory_kratos_session=${s.cookieValue}` })).statusCode, 401);
    } finally {
      await t.close();
    }
  });

  test('session.cookie.persistent=false: a browser-session cookie without Max-Age or Expires', async () => {
    const { t, set } = await issued({ session: { cookie: { persistent: false } } });
    try {
      assert.equal(set.attributes['max-age'], undefined);
      assert.equal(set.attributes.expires, undefined);
    } finally {
      await t.close();
    }
  });

  test('secret rotation: cookies signed by an older secret still verify; the first secret signs', async () => {
    const old = await startApp({ config: { secrets: { cookie: ['old-secret-0123456789abcdef'] } } });
    const rotated = await startApp({ config: { secrets: { cookie: ['new-secret-0123456789abcdef', 'old-secret-0123456789abcdef'] } } });
    try {
      const s = await seedLogin(rotated);
      const signedByOld = sessionCookieFor(old, s.token, s.session);
      assert.equal((await whoami(rotated, { cookie: signedByOld })).statusCode, 200);
      const value = rotated.app.registry.sessions.encodeCookie(s.token, s.session);
      assert.ok(decodeSessionCookie(['new-secret-0123456789abcdef'], value));
      assert.equal(decodeSessionCookie(['old-secret-0123456789abcdef'], value), null);
      // Logout tokens follow the same rule.
      const lt = old.app.registry.sessions.logoutToken(s.session.id);
      assert.match(lt, /^ory_lo_[A-Za-z0-9]{32}$/);
      assert.ok(rotated.app.registry.sessions.logoutTokenMatches(s.session.id, lt));
      assert.ok(rotated.app.registry.sessions.logoutTokenMatches(s.session.id, rotated.app.registry.sessions.logoutToken(s.session.id)));
      assert.ok(!rotated.app.registry.sessions.logoutTokenMatches(s.session.id, lt.slice(0, -1) + (lt.endsWith('a') ? 'b' : 'a')));
      assert.ok(!rotated.app.registry.sessions.logoutTokenMatches(crypto.randomUUID(), lt));
    } finally {
      await old.close();
      await rotated.close();
    }
  });
});

const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('session cookie codec', () => {
  const secret = 'unit-secret-0123456789abcdef';
  test('round trip, nonce, and rejection of every kind of tampering', () => {
    const exp = new Date(Date.now() + 3600_000);
    const a = encodeSessionCookie(secret, 'ory_st_abc', exp);
    const b = encodeSessionCookie(secret, 'ory_st_abc', exp);
    assert.notEqual(a, b);
    const d = decodeSessionCookie([secret], a);
    assert.equal(d?.token, 'ory_st_abc');
    assert.equal(d?.expiresAt.getTime(), exp.getTime());
    const [body, sig] = a.split('.');
    for (const bad of [
      '',
      'x',
      `${body}.`,
      `.${sig}`,
      `${body}.${sig}.${sig}`,
      `${body}x.${sig}`,
      `${body}.${sig.slice(1)}`,
      `${body}.${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`,
      `${body}.${Buffer.alloc(32).toString('base64url')}`,
      `${body}+.${sig}`,
      `${body}=.${sig}`,
      `${body}.${sig.slice(0, 42)}=`,
      // A second dot inside a signature of the right length, and a signature whose last character sets
      // a spare bit (it decodes to the same 32 bytes, but is not the canonical encoding).
      `${body}.${sig.slice(0, 21)}.${sig.slice(22)}`,
      `${body}.${sig.slice(0, 42)}${B64URL_ALPHABET[B64URL_ALPHABET.indexOf(sig[42]) ^ 1]}`,
      `${'A'.repeat(5000)}.${sig}`,
    ]) {
      assert.equal(decodeSessionCookie([secret], bad), null, bad.slice(0, 40));
    }
    assert.equal(decodeSessionCookie(['other-secret-0123456789abcdef'], a), null);
    // A validly signed payload with a malformed structure is still refused.
    const payload = 'only-one-part';
    const mac = createHmac('sha256', secret).update('porta/session-cookie/v1\n').update(payload).digest('base64url');
    assert.equal(decodeSessionCookie([secret], `${Buffer.from(payload).toString('base64url')}.${mac}`), null);
  });
});
