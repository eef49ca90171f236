import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { seedLogin, type SeededSession } from '../helpers/seed.js';
import { makeSession, tokenHash } from '../persistence/fixtures.js';
import type { Identity } from '../../src/identity/types.js';
import type { SessionStore } from '../../src/session/store.js';
import { adm, pub } from './util.js';

// More than the largest page (1000), so a capped page and a multi-page walk are both visible.
const OTHERS = 1004;

/** The `rel="next"` target of a Link header, as a path with query. */
function nextLink(link: string | undefined): string | undefined {
  for (const part of (link ?? '').split(',')) {
    const [target, rel] = part.split(';').map((s) => s.trim());
    if (rel === 'rel="next"') {
      const u = new URL(target.slice(1, -1), 'http://localhost');
      return u.pathname + u.search;
    }
  }
  return undefined;
}

forEachBackend('session lists page in the database', (backend) => {
  let t: TestApp;
  let me: SeededSession & { identity: Identity };
  let others: string[];
  let loaded: number[];

  before(async () => {
    t = await startApp({ backend });
    me = await seedLogin(t);
    const store = t.app.registry.persister.sessions;
    const base = Date.now() - 3600_000;
    others = [];
    for (let i = 0; i < OTHERS; i++) {
      const s = makeSession(me.identity.id, { createdAt: new Date(base + i * 1000) });
      await store.createSession(s, tokenHash());
      others.push(s.id);
    }
    others.reverse(); // newest first, the order of every list
    // Counts the session rows the handlers read from the store, per request.
    const list = store.listSessions.bind(store) as SessionStore['listSessions'];
    store.listSessions = async (q) => {
      const page = await list(q);
      loaded.push(page.sessions.length);
      return page;
    };
  });
  after(async () => t.close());

  const cases = [
    { name: 'GET /sessions', get: (url: string) => pub(t, 'GET', url, { 'x-session-token': me.token }), path: () => '/sessions', expected: () => others },
    {
      name: 'GET /admin/identities/{id}/sessions',
      get: (url: string) => adm(t, 'GET', url),
      path: () => `/admin/identities/${me.identity.id}/sessions`,
      expected: () => [me.session.id, ...others],
    },
  ];

  for (const c of cases) {
    test(`${c.name}: a huge page_size is capped at 1000 and only that page is read`, async () => {
      loaded = [];
      const res = await c.get(`${c.path()}?page_size=100000`);
      assert.equal(res.statusCode, 200, res.body);
      const ids = (res.json() as Array<{ id: string }>).map((s) => s.id);
      assert.deepEqual(ids, c.expected().slice(0, 1000));
      assert.equal(res.headers['x-total-count'], String(c.expected().length));
      const read = loaded.reduce((a, b) => a + b, 0);
      assert.ok(read <= 1001, `rows read: ${read}`);
    });

    test(`${c.name}: following the next links walks every row once, newest first, one page read per request`, async () => {
      const seen: string[] = [];
      let url: string | undefined = `${c.path()}?page_size=300`;
      let requests = 0;
      while (url) {
        loaded = [];
        const res = await c.get(url);
        const read = loaded.reduce((a, b) => a + b, 0);
        assert.ok(read <= 301, `rows read by one request: ${read}`);
        assert.equal(res.statusCode, 200, res.body);
        seen.push(...(res.json() as Array<{ id: string }>).map((s) => s.id));
        url = nextLink(res.headers.link as string | undefined);
        requests++;
        assert.ok(requests <= 10, 'the walk ends');
      }
      assert.deepEqual(seen, c.expected());
    });
  }
});
