import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { seedIdentity, seedSession } from '../helpers/seed.js';
import type { Identity } from '../../src/identity/types.js';

// `Location` for an accepted return_to: the input itself when it is canonical (a bare origin keeps its
// Kratos form, without the slash), otherwise the WHATWG serialisation of the parsed URL.
const CASES: Array<[string, string]> = [
  ['https://www.ory.sh', 'https://www.ory.sh'],
  ['https://www.ory.sh/', 'https://www.ory.sh/'],
  ['https://www.ory.sh/kratos?x=1#y', 'https://www.ory.sh/kratos?x=1#y'],
  ['https://www.ory.sh#x', 'https://www.ory.sh/#x'],
  ['https://www.ory.sh?x=1', 'https://www.ory.sh/?x=1'],
  ['https://WWW.ory.sh/a/./b', 'https://www.ory.sh/a/b'],
];

forEachBackend('Location for an accepted return_to', (backend) => {
  let t: TestApp;
  let identity: Identity;
  before(async () => {
    t = await startApp({ backend, config: { selfservice: { allowed_return_urls: ['https://www.ory.sh'] } } });
    identity = await seedIdentity(t);
  });
  after(() => t.close());

  test('browser logout: 303 to the canonical target', async () => {
    for (const [raw, location] of CASES) {
      const s = await seedSession(t, identity);
      const token = t.app.registry.sessions.logoutToken(s.session.id);
      const res = await t.app.public.inject({ method: 'GET', url: `/self-service/logout?token=${token}&return_to=${encodeURIComponent(raw)}`, headers: { cookie: s.cookie } });
      assert.equal(res.statusCode, 303, `${raw}: ${res.body}`);
      assert.equal(res.headers.location, location, raw);
    }
  });

  test('browser login with a session: 303 to the canonical target', async () => {
    const s = await seedSession(t, identity);
    for (const [raw, location] of CASES) {
      const res = await t.app.public.inject({ method: 'GET', url: `/self-service/login/browser?return_to=${encodeURIComponent(raw)}`, headers: { cookie: s.cookie } });
      assert.equal(res.statusCode, 303, `${raw}: ${res.body}`);
      assert.equal(res.headers.location, location, raw);
    }
  });
});
