import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { seedIdentity, seedLogin, seedSession } from '../helpers/seed.js';
import { adm, pub, randomUUID, whoami } from './util.js';

const NOT_FOUND = '{"error":{"code":404,"status":"Not Found","message":"Unable to locate the resource"}}\n';

forEachBackend('admin sessions', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(() => t.close());

  test('#60 DELETE /admin/sessions/{id} → 204 and the session reads back inactive; unknown → 404; bad uuid → 400', async () => {
    const s = await seedLogin(t);
    const res = await adm(t, 'DELETE', `/admin/sessions/${s.session.id}`);
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    const get = await adm(t, 'GET', `/admin/sessions/${s.session.id}`);
    assert.equal(get.statusCode, 200);
    assert.equal(get.json().active, false);
    assert.equal((await whoami(t, { cookie: s.cookie })).statusCode, 401);
    assert.equal((await adm(t, 'DELETE', `/admin/sessions/${s.session.id}`)).statusCode, 204, 'already revoked');
    const unknown = await adm(t, 'DELETE', `/admin/sessions/${randomUUID()}`);
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.body, NOT_FOUND);
    assert.equal((await adm(t, 'DELETE', '/admin/sessions/BADUUID')).statusCode, 400);
    // The admin server also answers without the /admin prefix.
    const s2 = await seedLogin(t);
    assert.equal((await adm(t, 'DELETE', `/sessions/${s2.session.id}`)).statusCode, 204);
    assert.equal((await whoami(t, { cookie: s2.cookie })).statusCode, 401);
  });

  test('#61 GET /admin/sessions/whoami → 307 to the public whoami', async () => {
    const res = await adm(t, 'GET', '/admin/sessions/whoami');
    assert.equal(res.statusCode, 307);
    assert.equal(res.headers.location, 'http://localhost:4433/sessions/whoami');
  });

  test('#62 DELETE /admin/identities/{id}/sessions: 204 then GET is []; unknown → 404; bad uuid → 400', async () => {
    const s = await seedLogin(t);
    await seedSession(t, s.identity);
    const list = await adm(t, 'GET', `/admin/identities/${s.identity.id}/sessions`);
    assert.equal(list.statusCode, 200);
    assert.equal(list.json().length, 2);
    assert.equal(list.headers['x-total-count'], '2');
    assert.ok(String(list.headers.link).includes('rel="first"'));
    const del = await adm(t, 'DELETE', `/admin/identities/${s.identity.id}/sessions`);
    assert.equal(del.statusCode, 204);
    assert.equal((await whoami(t, { cookie: s.cookie })).statusCode, 401);
    const after = await adm(t, 'GET', `/admin/identities/${s.identity.id}/sessions`);
    assert.equal(after.statusCode, 200);
    assert.equal(after.body, '[]\n');
    // Rows are gone, not just revoked.
    assert.equal((await adm(t, 'GET', `/admin/sessions/${s.session.id}`)).statusCode, 404);
    const again = await adm(t, 'DELETE', `/admin/identities/${s.identity.id}/sessions`);
    assert.equal(again.statusCode, 404);
    assert.equal(again.body, NOT_FOUND);
    assert.equal((await adm(t, 'DELETE', `/admin/identities/${randomUUID()}/sessions`)).statusCode, 404);
    // On the public port the path belongs to the admin API: 307 there, nothing deleted.
    const other = await seedLogin(t);
    const redirect = await pub(t, 'DELETE', `/identities/${other.identity.id}/sessions`);
    assert.equal(redirect.statusCode, 307);
    assert.equal(redirect.headers.location, `http://localhost:4434/admin/identities/${other.identity.id}/sessions`);
    assert.equal((await whoami(t, { cookie: other.cookie })).statusCode, 200);
    for (const method of ['GET', 'DELETE'] as const) {
      const bad = await adm(t, method, '/admin/identities/BADUUID/sessions');
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.message, 'uuid: incorrect UUID length 7 in string "BADUUID"');
    }
  });

  test('GET /admin/identities/{id}/sessions: admin shape, active filter, pagination', async () => {
    const identity = await seedIdentity(t, { metadataAdmin: { note: 'x' } });
    const a = await seedSession(t, identity);
    const b = await seedSession(t, identity);
    await adm(t, 'DELETE', `/admin/sessions/${a.session.id}`);
    const all = (await adm(t, 'GET', `/admin/identities/${identity.id}/sessions`)).json();
    assert.equal(all.length, 2);
    assert.deepEqual(all[0].identity.metadata_admin, { note: 'x' });
    assert.equal(all[0].identity.credentials, undefined);
    assert.equal(all[0].devices.length, 1);
    const active = await adm(t, 'GET', `/admin/identities/${identity.id}/sessions?active=true`);
    assert.deepEqual(active.json().map((s: { id: string }) => s.id), [b.session.id]);
    const inactive = await adm(t, 'GET', `/admin/identities/${identity.id}/sessions?active=0`);
    assert.deepEqual(inactive.json().map((s: { id: string }) => s.id), [a.session.id]);
    const bad = await adm(t, 'GET', `/admin/identities/${identity.id}/sessions?active=yes`);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.body, '{"error":{"code":400,"status":"Bad Request","message":"could not parse parameter active"}}\n');
    const paged = await adm(t, 'GET', `/admin/identities/${identity.id}/sessions?per_page=1`);
    assert.equal(paged.json().length, 1);
    assert.equal(paged.headers['x-total-count'], '2');
    assert.match(String(paged.headers.link), /^<\/admin\/identities\/[0-9a-f-]+\/sessions\?page=1&page_size=1&page_token=[^&]+&per_page=1>; rel="next"/);
  });

  test('#63 PATCH /admin/sessions/{id}/extend → 200 with a later expires_at; bad uuid 400; unknown 404', async () => {
    const s = await seedLogin(t);
    await new Promise((r) => setTimeout(r, 20));
    const res = await adm(t, 'PATCH', `/admin/sessions/${s.session.id}/extend`);
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.id, s.session.id);
    assert.ok(Date.parse(body.expires_at) > s.session.expiresAt.getTime());
    assert.equal(body.identity.id, s.identity.id);
    assert.equal(body.identity.metadata_admin, undefined);
    assert.deepEqual(body.devices, []);
    const who = (await whoami(t, { 'x-session-token': s.token })).json();
    assert.equal(who.expires_at, body.expires_at);
    assert.equal((await adm(t, 'PATCH', '/admin/sessions/BADUUID/extend')).statusCode, 400);
    const unknown = await adm(t, 'PATCH', `/admin/sessions/${randomUUID()}/extend`);
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.body, NOT_FOUND);
  });

  test('extend respects session.earliest_possible_extend', async () => {
    const t2 = await startApp({ backend, config: { session: { lifespan: '24h', earliest_possible_extend: '1h' } } });
    try {
      const s = await seedLogin(t2);
      const res = await adm(t2, 'PATCH', `/admin/sessions/${s.session.id}/extend`);
      assert.equal(res.statusCode, 200);
      assert.equal(Date.parse(res.json().expires_at), s.session.expiresAt.getTime(), 'too early: unchanged');
      // Within the last hour, the extension happens.
      const nearEnd = new Date(Date.now() + 30 * 60_000);
      await t2.app.registry.persister.sessions.updateSession({ ...s.session, expiresAt: nearEnd });
      const res2 = await adm(t2, 'PATCH', `/admin/sessions/${s.session.id}/extend`);
      assert.ok(Date.parse(res2.json().expires_at) > Date.now() + 23 * 3600_000);
    } finally {
      await t2.close();
    }
  });

  test('#64 GET /admin/sessions/{id}: expand=invalid → 400; expand=Identity shows metadata_admin; Devices case-insensitive', async () => {
    const identity = await seedIdentity(t, { metadataAdmin: { role: 'ops' } });
    const s = await seedSession(t, identity);
    const invalid = await adm(t, 'GET', `/admin/sessions/${s.session.id}?expand=invalid`);
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.body, '{"error":{"code":400,"status":"Bad Request","reason":"Could not parse expand option: invalid","message":"The request was malformed or contained invalid parameters"}}\n');
    const plain = (await adm(t, 'GET', `/admin/sessions/${s.session.id}`)).json();
    assert.equal(plain.identity, null);
    assert.deepEqual(plain.devices, []);
    assert.equal(plain.active, true);
    const expanded = (await adm(t, 'GET', `/admin/sessions/${s.session.id}?expand=Identity&expand=DEVICES`)).json();
    assert.deepEqual(expanded.identity.metadata_admin, { role: 'ops' });
    assert.equal(expanded.identity.credentials, undefined);
    assert.equal(expanded.devices.length, 1);
    assert.deepEqual(Object.keys(expanded).slice(-2), ['devices', 'identity']);
    assert.equal((await adm(t, 'GET', '/admin/sessions/BADUUID')).statusCode, 400);
    const unknown = await adm(t, 'GET', `/admin/sessions/${randomUUID()}`);
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.body, NOT_FOUND);
    // Other id spellings gofrs/uuid accepts name the same session.
    const hashLike = s.session.id.replace(/-/g, '').toUpperCase();
    assert.equal((await adm(t, 'GET', `/admin/sessions/${hashLike}`)).json().id, s.session.id);
  });

  test('GET /admin/sessions: filters, expand, keyset pagination with Link', async () => {
    const t2 = await startApp({ backend });
    try {
      const ids: string[] = [];
      const first = await seedLogin(t2, { metadataAdmin: { a: 1 } });
      ids.push(first.session.id);
      for (let i = 0; i < 4; i++) ids.push((await seedSession(t2, first.identity)).session.id);
      await adm(t2, 'DELETE', `/admin/sessions/${ids[0]}`);

      const all = await adm(t2, 'GET', '/admin/sessions');
      assert.equal(all.statusCode, 200);
      assert.equal(all.json().length, 5);
      assert.equal(all.json()[0].identity, null);
      assert.equal(all.json()[0].devices, null);
      const link = String(all.headers.link);
      assert.match(link, /^<\/admin\/sessions\?page_size=250&page_token=[A-Za-z0-9%]+>; rel="first"$/);

      assert.equal((await adm(t2, 'GET', '/admin/sessions?active=true')).json().length, 4);
      assert.deepEqual((await adm(t2, 'GET', '/admin/sessions?active=false')).json().map((s: { id: string }) => s.id), [ids[0]]);
      const bad = await adm(t2, 'GET', '/admin/sessions?active=nope');
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.message, 'could not parse parameter active');
      const badExpand = await adm(t2, 'GET', '/admin/sessions?expand=credentials');
      assert.equal(badExpand.json().error.reason, 'Could not parse expand option: credentials');
      const expanded = (await adm(t2, 'GET', '/admin/sessions?expand=identity&expand=devices')).json();
      assert.deepEqual(expanded[0].identity.metadata_admin, { a: 1 });
      assert.equal(expanded[0].devices.length, 1);

      // Walk the pages by following `next` links.
      const seen: string[] = [];
      let url: string | undefined = '/admin/sessions?page_size=2';
      let pages = 0;
      while (url && pages < 10) {
        const res = await adm(t2, 'GET', url);
        assert.equal(res.statusCode, 200);
        seen.push(...res.json().map((s: { id: string }) => s.id));
        const next = /<([^>]+)>; rel="next"/.exec(String(res.headers.link));
        url = next?.[1];
        pages++;
      }
      assert.equal(pages, 3);
      assert.deepEqual([...seen].sort(), [...ids].sort());

      const badSize = await adm(t2, 'GET', '/admin/sessions?page_size=abc');
      assert.equal(badSize.statusCode, 400);
      assert.equal(badSize.json().error.message, 'could not parse parameter page_size');
      const badToken = await adm(t2, 'GET', '/admin/sessions?page_token=!!!');
      assert.equal(badToken.statusCode, 400);
      const craftedToken = Buffer.from('id=not-a-uuid').toString('base64').replace(/=+$/, '');
      const crafted = await adm(t2, 'GET', `/admin/sessions?page_token=${craftedToken}`);
      assert.equal(crafted.statusCode, 400);
      assert.equal(crafted.json().error.reason, 'The page token is invalid, do not craft your own page tokens');
      const forgedStore = Buffer.from(`id=${ids[0]}/page=garbage`).toString('base64').replace(/=+$/, '');
      const forged = await adm(t2, 'GET', `/admin/sessions?page_token=${encodeURIComponent(forgedStore)}`);
      assert.equal(forged.statusCode, 400);
    } finally {
      await t2.close();
    }
  });

  test('DELETE /admin/sessions redirects to the public port, as Kratos does', async () => {
    const res = await adm(t, 'DELETE', '/admin/sessions');
    assert.equal(res.statusCode, 307);
    assert.equal(res.headers.location, 'http://localhost:4433/sessions');
  });

  test('malformed input on the admin routes never gives a 500', async () => {
    const urls = [
      '/admin/sessions/%ZZ',
      '/admin/sessions/%00',
      `/admin/sessions/${'a'.repeat(400)}`,
      '/admin/sessions?expand=%ZZ',
      '/admin/sessions?page_token=%FF%FE',
      '/admin/sessions?page_size=99999999999999999999999',
      '/admin/identities/%E2%80%A8/sessions',
      '/admin/sessions/{00000000-0000-0000-0000-00000000000}',
      '/admin/sessions/urn:uuid:00000000-0000-0000-0000-000000000000',
    ];
    for (const url of urls) {
      for (const method of ['GET', 'DELETE', 'PATCH'] as const) {
        const res = await adm(t, method, url);
        assert.ok(res.statusCode < 500, `${method} ${url} → ${res.statusCode} ${res.body}`);
      }
    }
    for (const url of ['/sessions/%ZZ', '/sessions?page=%FF', '/sessions/whoami?x=%ZZ']) {
      const res = await pub(t, 'GET', url);
      assert.ok(res.statusCode < 500, `${url} → ${res.statusCode}`);
    }
  });
});
