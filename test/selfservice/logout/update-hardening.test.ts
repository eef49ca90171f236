import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { seedLogin } from '../../helpers/seed.js';
import {
  BROWSER,
  get,
  JSONREQ,
  logoutFlow,
  NO_TOKEN,
  pathOf,
  sessionSetCookie,
  browserLogin,
  assertHardened,
  assertSessionCleared,
  UUID,
  whoami,
} from './helpers.js';

const ERROR_UI = new RegExp(`^http://localhost:4455/error\\?id=${UUID}$`);

// updateLogoutFlow contract rows (stale cookie, prefetch, HEAD), §5 #70 (negotiation) and #38 (Clear-Site-Data).
forEachBackend('GET /self-service/logout: hardening and negotiation', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(() => t.close());

  const login = (query = '') => browserLogin(t, query);
  const hardened = assertHardened;
  const assertCleared = (res: Parameters<typeof sessionSetCookie>[1]) => assertSessionCleared(t, res);

  describe('contract: a stale cookie on a 401 is cleared in the same response', () => {
    test('Kratos leaves it; Porta clears it (JSON 401 and browser 303 alike)', async () => {
      const s = await login();
      assert.equal((await get(t, s.url, { cookie: s.cookie, ...JSONREQ })).statusCode, 204);
      const json = await get(t, s.url, { cookie: s.cookie, ...JSONREQ });
      assert.equal(json.statusCode, 401);
      assertCleared(json);
      const browser = await get(t, s.url, { cookie: s.cookie });
      assert.equal(browser.statusCode, 303);
      assert.match(String(browser.headers.location), ERROR_UI);
      assertCleared(browser);
    });
    test('an undecodable cookie names no session: cleared', async () => {
      const s = await login();
      const res = await get(t, s.url, { cookie: `${t.config.sessionCookie.name}=garbage`, ...JSONREQ });
      assert.equal(res.statusCode, 401);
      assertCleared(res);
    });
    test('a cookie of a live session masked by a bad X-Session-Token is kept', async () => {
      const s = await login();
      const res = await get(t, s.url, { cookie: s.cookie, 'x-session-token': 'ory_st_nope', ...JSONREQ });
      assert.equal(res.statusCode, 401);
      assert.equal(sessionSetCookie(t, res), undefined);
      assert.equal(await whoami(t, { cookie: s.cookie }), 200);
    });
    test('no cookie: no Set-Cookie for the session', async () => {
      const s = await login();
      const res = await get(t, s.url, JSONREQ);
      assert.equal(sessionSetCookie(t, res), undefined);
    });
  });

  describe('prefetch safety: a prefetch or prerender never logs out', () => {
    for (const h of [{ 'sec-purpose': 'prefetch' }, { 'sec-purpose': 'prefetch;prerender' }, { purpose: 'prefetch' }, { 'x-moz': 'prefetch' }] as Record<string, string>[]) {
      test(JSON.stringify(h), async () => {
        const s = await login();
        for (const extra of [JSONREQ, { accept: BROWSER }]) {
          const res = await get(t, s.url, { cookie: s.cookie, ...h, ...extra });
          assert.equal(res.statusCode, 400);
          assert.equal(res.headers.location, undefined);
          assert.match(res.json().error.reason, /prefetch/);
          assert.equal(sessionSetCookie(t, res), undefined);
          hardened(res);
        }
        assert.equal(await whoami(t, { cookie: s.cookie }), 200);
        assert.equal((await get(t, s.url, { cookie: s.cookie, ...JSONREQ })).statusCode, 204);
      });
    }
  });

  test('HEAD (a safe method link checkers use) never logs out; Kratos\'s GET pattern would', async () => {
    const s = await login();
    const res = await t.app.public.inject({ method: 'HEAD', url: s.url, headers: { cookie: s.cookie } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers.location, undefined);
    assert.equal(sessionSetCookie(t, res), undefined);
    hardened(res);
    assert.equal(await whoami(t, { cookie: s.cookie }), 200);
  });

  describe('#70 content negotiation matrix on the no-token branch (Kratos x/isjsonrequest_test.go)', () => {
    const rows: Array<[string, string, boolean]> = [
      ['firefox-66', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
      ['safari-chrome', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8', true],
      ['ie8', 'image/jpeg,application/x-ms-application,image/gif,application/xaml+xml,image/pjpeg,application/x-ms-xbap,application/x-shockwave-flash,application/msword,*/*', true],
      ['ie8-any', '*/*', true],
      ['edge', 'text/html,application/xhtml+xml,image/jxr,*/*', true],
      ['opera', 'text/html,application/xml;q=0.9,application/xhtml+xml,image/png,image/webp,image/jpeg,image/gif,image/x-xbitmap,*/*;q=0.1', true],
      ['json-api', 'application/json', false],
      ['no-accept', '', true],
    ];
    for (const [ua, accept, browser] of rows) {
      test(`${ua}: ${browser ? '303 to the error UI' : '400 JSON'}`, async () => {
        const s = await login();
        const res = await get(t, '/self-service/logout', accept ? { cookie: s.cookie, accept } : { cookie: s.cookie });
        if (browser) {
          assert.equal(res.statusCode, 303);
          assert.match(String(res.headers.location), ERROR_UI);
        } else {
          assert.equal(res.statusCode, 400);
          assert.equal(res.json().error.reason, NO_TOKEN);
        }
      });
    }
  });
});

// #38 (kratos handler_clearsitedata_test.go).
forEachBackend('Clear-Site-Data on logout', (backend) => {
  for (const flag of [true, false]) {
    describe(`clear_browser_data: ${flag}`, () => {
      let t: TestApp;
      before(async () => {
        t = await startApp({ backend, config: { selfservice: { flows: { logout: { clear_browser_data: flag } } } } });
      });
      after(() => t.close());
      for (const proto of ['https', 'http']) {
        test(`X-Forwarded-Proto: ${proto}`, async () => {
          const s = await seedLogin(t);
          const flow = await logoutFlow(t, { cookie: s.cookie });
          const res = await get(t, pathOf(flow.logout_url), { cookie: s.cookie, 'x-forwarded-proto': proto });
          assert.equal(res.statusCode, 303);
          assert.equal(res.headers['clear-site-data'], flag && proto === 'https' ? '"cookies", "storage", "cache"' : undefined);
        });
      }
    });
  }
});
