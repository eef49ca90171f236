import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Configuration, FrontendApi } from '@ory/client';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { seedLogin } from '../../helpers/seed.js';
import { LOGOUT_TOKEN, NATIVE_UNKNOWN, NO_TOKEN, SESSION_INACTIVE, TOKEN_MISMATCH } from './helpers.js';

interface HttpFailure {
  response?: { status: number; data: unknown; headers: Record<string, unknown> };
}

/** Runs an SDK call that must fail; returns the HTTP status and body. */
async function failure(p: Promise<unknown>): Promise<{ status: number; data: any; headers: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    const r = (err as HttpFailure).response;
    if (!r) throw err;
    return { status: r.status, data: r.data, headers: r.headers };
  }
  throw new Error('the call was expected to fail');
}

// The SDK the Kratos UI uses, against a listening Porta: createBrowserLogoutFlow, updateLogoutFlow and
// performNativeLogout with the server-side `cookie` parameter (kratos-logout-spec.md §5 A, B, C).
forEachBackend('@ory/client FrontendApi logout', (backend) => {
  let t: TestApp;
  let sdk: FrontendApi;
  before(async () => {
    t = await startApp({ backend, listen: true });
    sdk = new FrontendApi(new Configuration({ basePath: t.publicURL }));
  });
  after(() => t.close());

  const whoami = async (h: { cookie?: string; xSessionToken?: string }) => {
    try {
      return (await sdk.toSession(h)).status;
    } catch (err) {
      return (err as HttpFailure).response?.status ?? 0;
    }
  };

  test('createBrowserLogoutFlow: no session is 401 session_inactive', async () => {
    const f = await failure(sdk.createBrowserLogoutFlow({}));
    assert.equal(f.status, 401);
    assert.deepEqual(f.data, { error: SESSION_INACTIVE });
  });

  test('createBrowserLogoutFlow + updateLogoutFlow with the cookie: 204, then cookie, token and logout URL are refused at once', async () => {
    const s = await seedLogin(t);
    const flow = await sdk.createBrowserLogoutFlow({ cookie: s.cookie });
    assert.equal(flow.status, 200);
    assert.match(flow.data.logout_token, LOGOUT_TOKEN);
    assert.equal(new URL(flow.data.logout_url).origin, t.publicURL);
    assert.match(String(flow.headers['cache-control']), /no-store/);
    assert.equal(flow.headers['referrer-policy'], 'no-referrer');

    const res = await sdk.updateLogoutFlow({ token: flow.data.logout_token, cookie: s.cookie });
    assert.equal(res.status, 204);
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    const cleared = (res.headers['set-cookie'] as string[] | undefined)?.find((c) => c.startsWith(`${t.config.sessionCookie.name}=`));
    assert.ok(cleared && /Max-Age=0/.test(cleared), 'the session cookie is cleared');

    assert.equal(await whoami({ cookie: s.cookie }), 401);
    assert.equal(await whoami({ xSessionToken: s.token }), 401);
    assert.equal((await failure(sdk.updateLogoutFlow({ token: flow.data.logout_token, cookie: s.cookie }))).status, 401);
    assert.equal((await failure(sdk.createBrowserLogoutFlow({ cookie: s.cookie }))).status, 401);
    // And by plain navigation to the old logout URL.
    const nav = await fetch(flow.data.logout_url, { headers: { cookie: s.cookie }, redirect: 'manual' });
    assert.equal(nav.status, 303);
    assert.match(String(nav.headers.get('location')), /^http:\/\/localhost:4455\/error\?id=/);
  });

  test('returnTo: carried when allowed, 400 self_service_flow_return_to_forbidden when not', async () => {
    const s = await seedLogin(t);
    const ok = await sdk.createBrowserLogoutFlow({ cookie: s.cookie, returnTo: 'https://www.ory.sh' });
    assert.equal(new URL(ok.data.logout_url).searchParams.get('return_to'), 'https://www.ory.sh');
    const bad = await failure(sdk.createBrowserLogoutFlow({ cookie: s.cookie, returnTo: 'https://www.ory.com' }));
    assert.equal(bad.status, 400);
    assert.equal(bad.data.error.id, 'self_service_flow_return_to_forbidden');
    assert.equal(bad.data.error.reason, 'Requested return_to URL "https://www.ory.com" is not allowed.');
  });

  test('updateLogoutFlow: no token 400, another session\'s token 403, nothing revoked', async () => {
    const a = await seedLogin(t);
    const b = await seedLogin(t);
    const noToken = await failure(sdk.updateLogoutFlow({ cookie: a.cookie }));
    assert.equal(noToken.status, 400);
    assert.equal(noToken.data.error.reason, NO_TOKEN);
    const tokenB = (await sdk.createBrowserLogoutFlow({ cookie: b.cookie })).data.logout_token;
    const mismatch = await failure(sdk.updateLogoutFlow({ token: tokenB, cookie: a.cookie }));
    assert.equal(mismatch.status, 403);
    assert.equal(mismatch.data.error.reason, TOKEN_MISMATCH);
    assert.equal(await whoami({ cookie: a.cookie }), 200);
    assert.equal(await whoami({ cookie: b.cookie }), 200);
  });

  test('updateLogoutFlow with a forbidden returnTo: 400, and logged out all the same (Kratos order)', async () => {
    const s = await seedLogin(t);
    const token = (await sdk.createBrowserLogoutFlow({ cookie: s.cookie })).data.logout_token;
    const f = await failure(sdk.updateLogoutFlow({ token, cookie: s.cookie, returnTo: 'https://evil.com' }));
    assert.equal(f.status, 400);
    assert.equal(f.data.error.id, 'self_service_flow_return_to_forbidden');
    assert.equal(await whoami({ cookie: s.cookie }), 401);
  });

  test('contract: updateLogoutFlow carried by X-Session-Token only — Kratos revokes nothing; Porta revokes that session', async () => {
    const s = await seedLogin(t);
    const token = (await sdk.createBrowserLogoutFlow({}, { headers: { 'X-Session-Token': s.token } })).data.logout_token;
    const res = await sdk.updateLogoutFlow({ token }, { headers: { 'X-Session-Token': s.token } });
    assert.equal(res.status, 204);
    assert.equal(await whoami({ xSessionToken: s.token }), 401);
  });

  test('performNativeLogout: 204, repeat 204, unknown 403; the token is refused at once', async () => {
    const s = await seedLogin(t);
    const res = await sdk.performNativeLogout({ performNativeLogoutBody: { session_token: s.token } });
    assert.equal(res.status, 204);
    assert.equal(res.headers['set-cookie'], undefined);
    assert.equal(await whoami({ xSessionToken: s.token }), 401);
    assert.equal((await sdk.performNativeLogout({ performNativeLogoutBody: { session_token: s.token } })).status, 204);
    const f = await failure(sdk.performNativeLogout({ performNativeLogoutBody: { session_token: 'not a valid token' } }));
    assert.equal(f.status, 403);
    assert.deepEqual(f.data, NATIVE_UNKNOWN);
  });

  test('the logout URL works as a plain browser link: 303 to the logout default, session gone', async () => {
    const s = await seedLogin(t);
    const flow = await sdk.createBrowserLogoutFlow({ cookie: s.cookie, returnTo: '/dashboard' });
    const nav = await fetch(flow.data.logout_url, { headers: { cookie: s.cookie, accept: 'text/html' }, redirect: 'manual' });
    assert.equal(nav.status, 303);
    assert.equal(nav.headers.get('location'), 'http://localhost:4455/dashboard');
    assert.equal(nav.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(await whoami({ cookie: s.cookie }), 401);
  });
});
