import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { seedIdentity, seedSession } from '../helpers/seed.js';
import type { Identity } from '../../src/identity/types.js';
import { ACCEPTED, MODES, onAllowedTarget, PAYLOAD_CONFIG, PAYLOADS } from './payloads.js';

// security-anchors.md §B.2 checklist item 5: every payload, raw, encoded and double-encoded, at both
// logout endpoints; each answer is a refusal or a target on an allowed origin, never anything else.
forEachBackend('open-redirect payloads at the logout endpoints', (backend) => {
  let t: TestApp;
  let identity: Identity;
  let C: string;
  before(async () => {
    t = await startApp({ backend, config: PAYLOAD_CONFIG });
    identity = await seedIdentity(t);
    C = (await seedSession(t, identity)).cookie;
  });
  after(() => t.close());

  const tally = { refused: 0, accepted: 0 };

  /** createBrowserLogoutFlow: 400, or 200 whose logout_url carries an allowed return_to. */
  async function atBrowser(value: string): Promise<'refused' | 'accepted'> {
    const res = await t.app.public.inject({ method: 'GET', url: `/self-service/logout/browser?return_to=${value}`, headers: { cookie: C, accept: 'application/json' } });
    if (res.statusCode === 400) return 'refused';
    assert.equal(res.statusCode, 200, res.body);
    const logoutURL = new URL(res.json().logout_url);
    assert.equal(logoutURL.origin, 'https://app.example.com');
    const rt = logoutURL.searchParams.get('return_to');
    if (rt === null) return 'accepted';
    assert.ok(onAllowedTarget(rt), `return_to ${rt} leaves the allowed origins`);
    return 'accepted';
  }

  /** updateLogoutFlow (browser): 303 whose Location stays on an allowed origin (the target or the error UI). */
  async function atLogout(value: string): Promise<'refused' | 'accepted'> {
    const s = await seedSession(t, identity);
    const token = t.app.registry.sessions.logoutToken(s.session.id);
    const res = await t.app.public.inject({ method: 'GET', url: `/self-service/logout?token=${token}&return_to=${value}`, headers: { cookie: s.cookie } });
    if (res.statusCode === 400) return 'refused';
    assert.equal(res.statusCode, 303, res.body);
    const location = String(res.headers.location);
    assert.match(location, /^[\x21-\x7e]+$/, 'Location is a serialised URL, not raw input');
    assert.ok(onAllowedTarget(location), `Location ${location} leaves the allowed origins`);
    return location.startsWith('https://app.example.com/ui/error?') ? 'refused' : 'accepted';
  }

  for (const [mode, encode] of MODES) {
    describe(mode, () => {
      for (const [n, payload] of PAYLOADS) {
        test(`#${n} ${JSON.stringify(payload)}`, async () => {
          const value = encode(payload);
          tally[await atBrowser(value)]++;
          tally[await atLogout(value)]++;
        });
      }
    });
  }

  test('HPP: a duplicated return_to is refused in either order, whatever the copies', async () => {
    for (const [a, b] of [
      ['https://app.example.com/ui/', 'https://evil.com'],
      ['https://evil.com', 'https://app.example.com/ui/'],
      ['/ui/a', '/ui/b'],
    ]) {
      const value = `${encodeURIComponent(a)}&return_to=${encodeURIComponent(b)}`;
      assert.equal(await atBrowser(value), 'refused');
      assert.equal(await atLogout(value), 'refused');
    }
  });

  test('legitimate targets are accepted, with the Location they name', async () => {
    for (const v of ACCEPTED) {
      assert.equal(await atBrowser(encodeURIComponent(v)), 'accepted', v);
      assert.equal(await atLogout(encodeURIComponent(v)), 'accepted', v);
    }
  });

  test('off-origin payloads are refused outright (not just redirected to a fallback)', async () => {
    for (const p of ['//evil.com', 'https://evil.com', 'https://app.example.com@evil.com', 'https://evilapp.example.com', 'javascript:alert(1)', '/ui-evil', '/ui/../admin']) {
      assert.equal(await atBrowser(encodeURIComponent(p)), 'refused', p);
    }
    assert.ok(tally.refused > tally.accepted, `refused ${tally.refused}, accepted ${tally.accepted}`);
  });
});
