import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Configuration, FrontendApi, IdentityApi } from '@ory/client';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { seedLogin, seedSession } from '../helpers/seed.js';

/** The SDK rejects non-2xx with an axios error; this returns its status and body instead. */
async function failure(p: Promise<unknown>): Promise<{ status: number; data: unknown }> {
  try {
    await p;
  } catch (err) {
    const e = err as { response?: { status: number; data: unknown } };
    if (e.response) return { status: e.response.status, data: e.response.data };
    throw err;
  }
  throw new Error('expected the SDK call to fail');
}

forEachBackend('sessions through @ory/client', (backend) => {
  let t: TestApp;
  let frontend: FrontendApi;
  let identityApi: IdentityApi;
  before(async () => {
    t = await startApp({ backend, listen: true });
    frontend = new FrontendApi(new Configuration({ basePath: t.publicURL }));
    identityApi = new IdentityApi(new Configuration({ basePath: t.adminURL }));
  });
  after(() => t.close());

  test('FrontendApi: toSession by token and by cookie; the wrong credential is 401', async () => {
    const s = await seedLogin(t);
    const byToken = await frontend.toSession({ xSessionToken: s.token });
    assert.equal(byToken.status, 200);
    assert.equal(byToken.data.id, s.session.id);
    assert.equal(byToken.data.identity?.id, s.identity.id);
    assert.equal(byToken.headers['x-kratos-authenticated-identity-id'], s.identity.id);
    const byCookie = await frontend.toSession({ cookie: s.cookie });
    assert.equal(byCookie.data.id, s.session.id);
    const denied = await failure(frontend.toSession({ xSessionToken: 'ory_st_00000000000000000000000000000000' }));
    assert.equal(denied.status, 401);
    assert.deepEqual(denied.data, {
      error: { code: 401, status: 'Unauthorized', reason: 'No valid session credentials found in the request.', message: 'The request could not be authorized' },
    });
  });

  test('FrontendApi: listMySessions, disableMySession, disableMyOtherSessions', async () => {
    const s = await seedLogin(t);
    const a = await seedSession(t, s.identity);
    const b = await seedSession(t, s.identity);
    const list = await frontend.listMySessions({ xSessionToken: s.token });
    assert.deepEqual(list.data.map((x) => x.id).sort(), [a.session.id, b.session.id].sort());
    assert.equal(list.headers['x-total-count'], '2');
    const one = await frontend.disableMySession({ id: a.session.id, xSessionToken: s.token });
    assert.equal(one.status, 204);
    const rest = await frontend.disableMyOtherSessions({ xSessionToken: s.token });
    assert.equal(rest.data.count, 1);
    assert.equal((await failure(frontend.toSession({ xSessionToken: b.token }))).status, 401);
    assert.equal((await frontend.toSession({ xSessionToken: s.token })).status, 200);
    assert.equal((await failure(frontend.disableMySession({ id: s.session.id, xSessionToken: s.token }))).status, 400);
  });

  test('IdentityApi: getSession, listSessions, extendSession, disableSession, listIdentitySessions, deleteIdentitySessions', async () => {
    const s = await seedLogin(t, { metadataAdmin: { k: 'v' } });
    const got = await identityApi.getSession({ id: s.session.id, expand: ['identity', 'devices'] });
    assert.equal(got.data.id, s.session.id);
    assert.deepEqual(got.data.identity?.metadata_admin, { k: 'v' });
    assert.equal(got.data.devices?.length, 1);
    const listed = await identityApi.listSessions({ active: true, expand: ['identity'] });
    assert.ok(listed.data.some((x) => x.id === s.session.id));
    assert.ok(String(listed.headers.link).includes('rel="first"'));
    const extended = await identityApi.extendSession({ id: s.session.id });
    assert.equal(extended.status, 200);
    assert.ok(Date.parse(extended.data.expires_at as string) >= s.session.expiresAt.getTime());
    const byIdentity = await identityApi.listIdentitySessions({ id: s.identity.id });
    assert.deepEqual(byIdentity.data.map((x) => x.id), [s.session.id]);
    assert.equal((await identityApi.disableSession({ id: s.session.id })).status, 204);
    assert.equal((await identityApi.getSession({ id: s.session.id })).data.active, false);
    assert.equal((await failure(frontend.toSession({ cookie: s.cookie }))).status, 401);
    assert.equal((await identityApi.deleteIdentitySessions({ id: s.identity.id })).status, 204);
    assert.equal((await failure(identityApi.deleteIdentitySessions({ id: s.identity.id }))).status, 404);
    assert.equal((await failure(identityApi.getSession({ id: s.session.id }))).status, 404);
  });
});
