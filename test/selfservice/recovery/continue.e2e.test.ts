import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Configuration, FrontendApi, IdentityApi, type SettingsFlow } from '@ory/client';
import { forEachSpawnBackend, spawnPorta, type PortaProcess } from '../../helpers/spawn.js';
import { startSink, type Sink } from '../../helpers/smtp-sink.js';
import { courierConfig, openDb } from '../../helpers/courier-spawn.js';
import type { Persister } from '../../../src/persistence/types.js';
import { CookieJar } from '../../helpers/jar.js';

/**
 * What happens after a redeemed recovery code, through @ory/client against a spawned `porta serve
 * --watch-courier` (codes read from the mail the real SMTP sink received): the native client gets the
 * session token and a settings flow in continue_with and sets a new password with them; the SPA gets the
 * 422 to the settings UI and does the same with its cookie; return_to rides on into the settings flow;
 * `revoke_active_sessions` after recovery ends the sessions from before; and recovery sends count against
 * the shared `porta.send_throttle`.
 */

const OLD_PASSWORD = 'correct-horse-battery-staple-77';
const NEW_PASSWORD = 'a-fresh-password-after-recovery-9';
const PER_RECIPIENT = 3;

const csrfOf = (flow: { ui: SettingsFlow['ui'] }): string =>
  (flow.ui.nodes.find((n) => (n.attributes as { name?: string }).name === 'csrf_token')?.attributes as { value: string }).value;

async function failure(p: Promise<unknown>): Promise<{ status: number; data: any; headers: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    const res = (err as { response?: { status: number; data: unknown; headers: Record<string, unknown> } }).response;
    if (res) return res;
    throw err;
  }
  assert.fail('expected the call to fail');
}

forEachSpawnBackend('recovery continues in a settings flow', (backend) => {
  let porta: PortaProcess;
  let sink: Sink;
  let frontend: FrontendApi;
  let admin: IdentityApi;
  let n = 0;
  let db: Persister;

  function mailsTo(to: string) {
    return sink.received.filter((r) => JSON.stringify(r.mail.to ?? '').includes(to));
  }
  /** The code of the mail number `index` (0-based) to `to`, waiting for the courier to deliver it. */
  async function codeFrom(to: string, index: number): Promise<string> {
    const deadline = Date.now() + 30_000;
    while (mailsTo(to).length <= index) {
      if (Date.now() > deadline) throw new Error(`no mail ${index} to ${to}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const m = /\b(\d{6})\b/.exec(mailsTo(to)[index].mail.text ?? '');
    assert.ok(m, 'the mail carries a code');
    return m[1];
  }
  async function newIdentity(): Promise<string> {
    const email = `cont-${backend}-${n++}@example.com`;
    await admin.createIdentity({
      createIdentityBody: { schema_id: 'default', traits: { email, website: 'https://www.example.org/' }, credentials: { password: { config: { password: OLD_PASSWORD } } } },
    });
    return email;
  }
  async function nativeLogin(email: string, password: string): Promise<string> {
    const flow = await frontend.createNativeLoginFlow();
    const done = await frontend.updateLoginFlow({ flow: flow.data.id, updateLoginFlowBody: { method: 'password', identifier: email, password } });
    return done.data.session_token as string;
  }

  before(async () => {
    sink = await startSink({ starttls: false });
    porta = await spawnPorta({
      backend,
      args: ['--watch-courier'],
      config: courierConfig(sink, {
        porta: { send_throttle: { per_recipient: PER_RECIPIENT } },
        selfservice: {
          flows: {
            recovery: { enabled: true, ui_url: 'http://localhost:4455/recovery', after: { hooks: [{ hook: 'revoke_active_sessions' }] } },
            settings: { ui_url: 'http://localhost:4455/settings', privileged_session_max_age: '15m' },
          },
        },
      }),
    });
    frontend = new FrontendApi(new Configuration({ basePath: porta.publicURL }));
    admin = new IdentityApi(new Configuration({ basePath: porta.adminURL }));
    db = await openDb(porta.database);
  });
  after(async () => {
    await db?.close();
    await porta?.stop();
    await sink?.close();
  });

  test('native: continue_with carries the session token and the settings flow; the token sets a new password', async () => {
    const email = await newIdentity();
    const before = await nativeLogin(email, OLD_PASSWORD);

    const flow = await frontend.createNativeRecoveryFlow();
    await frontend.updateRecoveryFlow({ flow: flow.data.id, updateRecoveryFlowBody: { method: 'code', email } });
    const done = await frontend.updateRecoveryFlow({ flow: flow.data.id, updateRecoveryFlowBody: { method: 'code', code: await codeFrom(email, 0) } });
    assert.equal(done.status, 200);
    assert.equal(done.data.state, 'passed_challenge');
    assert.equal(done.headers['set-cookie'], undefined);
    const items = done.data.continue_with ?? [];
    assert.deepEqual(items.map((c) => c.action), ['set_ory_session_token', 'show_settings_ui']);
    const token = (items[0] as { ory_session_token: string }).ory_session_token;
    const show = (items[1] as { flow: { id: string; url: string } }).flow;
    assert.equal(show.url, `http://localhost:4455/settings?flow=${show.id}`);

    const whoami = await frontend.toSession({ xSessionToken: token });
    assert.equal(whoami.data.authentication_methods?.[0].method, 'code_recovery');
    // revoke_active_sessions after recovery: the session from before is over.
    assert.equal((await failure(frontend.toSession({ xSessionToken: before }))).status, 401);

    const settings = await frontend.getSettingsFlow({ id: show.id, xSessionToken: token });
    assert.equal(settings.data.type, 'api');
    assert.equal(settings.data.state, 'show_form');
    assert.equal(settings.data.identity.traits.email, email);
    const msg = settings.data.ui.messages?.[0];
    assert.equal(msg?.id, 1060001);
    assert.match(msg?.text ?? '', /within the next 1[45]\.\d\d minutes\.$/);

    const changed = await frontend.updateSettingsFlow({ flow: show.id, xSessionToken: token, updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD } });
    assert.equal(changed.status, 200);
    assert.equal(changed.data.state, 'success');

    assert.match(await nativeLogin(email, NEW_PASSWORD), /^ory_st_/);
    const old = await failure(nativeLogin(email, OLD_PASSWORD));
    assert.equal(old.status, 400);
  });

  test('SPA: a 422 to the settings UI with the flow id; the cookie session sets the password and return_to is honoured', async () => {
    const email = await newIdentity();
    const jar = new CookieJar();
    const flow = await frontend.createBrowserRecoveryFlow({ returnTo: 'https://www.example.org/done' });
    jar.store(flow.headers as Record<string, unknown>);
    const csrf = csrfOf(flow.data);
    await frontend.updateRecoveryFlow({ flow: flow.data.id, cookie: jar.header(), updateRecoveryFlowBody: { method: 'code', email, csrf_token: csrf } });
    const code = await codeFrom(email, 0);
    const res = await failure(frontend.updateRecoveryFlow({ flow: flow.data.id, cookie: jar.header(), updateRecoveryFlowBody: { method: 'code', code, csrf_token: csrf } }));
    assert.equal(res.status, 422);
    assert.equal(res.data.error.id, 'browser_location_change_required');
    const to = new URL(res.data.redirect_browser_to);
    assert.equal(`${to.origin}${to.pathname}`, 'http://localhost:4455/settings');
    jar.store(res.headers);
    assert.ok(jar.get('ory_kratos_session'));

    const settings = await frontend.getSettingsFlow({ id: to.searchParams.get('flow')!, cookie: jar.header() });
    assert.equal(settings.data.type, 'browser');
    assert.equal(settings.data.return_to, 'https://www.example.org/done');
    assert.deepEqual(settings.data.ui.messages?.map((m) => m.id), [1060001]);
    // The settings flow is bound to the CSRF cookie the recovery success rotated.
    const changed = await frontend.updateSettingsFlow({
      flow: settings.data.id,
      cookie: jar.header(),
      updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(settings.data) },
    });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.data.continue_with, [{ action: 'redirect_browser_to', redirect_browser_to: 'https://www.example.org/done' }]);
    assert.match(await nativeLogin(email, NEW_PASSWORD), /^ory_st_/);
  });

  test('browser form posts: 303 to the settings UI, whose flow is the new session\'s', async () => {
    const email = await newIdentity();
    const jar = new CookieJar();
    const init = await fetch(`${porta.publicURL}/self-service/recovery/browser`, { redirect: 'manual', headers: { accept: 'text/html' } });
    jar.store(init.headers);
    const flowId = new URL(init.headers.get('location')!).searchParams.get('flow')!;
    const flow = await frontend.getRecoveryFlow({ id: flowId, cookie: jar.header() });
    const post = (form: Record<string, string>) =>
      fetch(`${porta.publicURL}/self-service/recovery?flow=${flowId}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: jar.header() },
        body: new URLSearchParams({ method: 'code', csrf_token: csrfOf(flow.data), ...form }).toString(),
      });
    assert.equal((await post({ email })).status, 303);
    const done = await post({ code: await codeFrom(email, 0) });
    assert.equal(done.status, 303);
    const to = new URL(done.headers.get('location')!);
    assert.equal(`${to.origin}${to.pathname}`, 'http://localhost:4455/settings');
    jar.store(done.headers);
    const settings = await frontend.getSettingsFlow({ id: to.searchParams.get('flow')!, cookie: jar.header() });
    assert.equal(settings.data.identity.traits.email, email);
    // Another identity's session cannot read it.
    const other = await nativeLogin(await newIdentity(), OLD_PASSWORD);
    assert.equal((await failure(frontend.getSettingsFlow({ id: settings.data.id, xSessionToken: other }))).status, 403);
  });

  test('recovery sends count against porta.send_throttle: past per_recipient the answer is the same but nothing is queued', async () => {
    const email = await newIdentity();
    const flow = await frontend.createNativeRecoveryFlow();
    for (let i = 0; i <= PER_RECIPIENT; i++) {
      const sent = await frontend.updateRecoveryFlow({ flow: flow.data.id, updateRecoveryFlowBody: { method: 'code', email } });
      assert.equal(sent.status, 200);
      assert.deepEqual(sent.data.ui.messages?.map((m) => m.id), [1060003]);
    }
    const queued = (await (await fetch(`${porta.adminURL}/admin/courier/messages?recipient=${encodeURIComponent(email)}`)).json()) as unknown[];
    assert.equal(queued.length, PER_RECIPIENT);
  });

  /** Recovers `email` through a native flow and returns the session token and the settings flow id. */
  async function recoverNative(email: string): Promise<{ token: string; settingsId: string }> {
    const flow = await frontend.createNativeRecoveryFlow();
    await frontend.updateRecoveryFlow({ flow: flow.data.id, updateRecoveryFlowBody: { method: 'code', email } });
    const done = await frontend.updateRecoveryFlow({ flow: flow.data.id, updateRecoveryFlowBody: { method: 'code', code: await codeFrom(email, 0) } });
    const items = done.data.continue_with as Array<{ ory_session_token?: string; flow?: { id: string } }>;
    return { token: items[0].ory_session_token!, settingsId: items[1].flow!.id };
  }
  /** Moves the session's authentication 20 minutes back: past the 15m privileged age. */
  async function makeOld(sessionId: string): Promise<void> {
    const s = await db.sessions.getSession(sessionId);
    assert.ok(s);
    s.authenticatedAt = new Date(Date.now() - 20 * 60_000);
    await db.sessions.updateSession(s);
  }

  test('a recovered session past the privileged age cannot set a password (native, SPA, browser form) until it re-authenticates', async () => {
    // Native: 403 session_refresh_required; a refresh login with the password the person still has fixes it.
    const email = await newIdentity();
    const { token, settingsId } = await recoverNative(email);
    await makeOld((await frontend.toSession({ xSessionToken: token })).data.id);
    const refused = await failure(frontend.updateSettingsFlow({ flow: settingsId, xSessionToken: token, updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD } }));
    assert.equal(refused.status, 403);
    assert.equal(refused.data.error.id, 'session_refresh_required');
    assert.equal((await failure(nativeLogin(email, NEW_PASSWORD))).status, 400, 'the password did not change');
    const refresh = await frontend.createNativeLoginFlow({ xSessionToken: token, refresh: true });
    const renewed = await frontend.updateLoginFlow({ flow: refresh.data.id, xSessionToken: token, updateLoginFlowBody: { method: 'password', identifier: email, password: OLD_PASSWORD } });
    const ok = await frontend.updateSettingsFlow({
      flow: settingsId,
      xSessionToken: renewed.data.session_token as string,
      updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD },
    });
    assert.equal(ok.data.state, 'success');
    assert.match(await nativeLogin(email, NEW_PASSWORD), /^ory_st_/);

    // SPA and browser form, on a recovered browser session.
    const spaEmail = await newIdentity();
    const jar = new CookieJar();
    const flow = await frontend.createBrowserRecoveryFlow();
    jar.store(flow.headers as Record<string, unknown>);
    const csrf = csrfOf(flow.data);
    await frontend.updateRecoveryFlow({ flow: flow.data.id, cookie: jar.header(), updateRecoveryFlowBody: { method: 'code', email: spaEmail, csrf_token: csrf } });
    const res = await failure(
      frontend.updateRecoveryFlow({ flow: flow.data.id, cookie: jar.header(), updateRecoveryFlowBody: { method: 'code', code: await codeFrom(spaEmail, 0), csrf_token: csrf } }),
    );
    jar.store(res.headers);
    const settingsId2 = new URL(res.data.redirect_browser_to).searchParams.get('flow')!;
    await makeOld((await frontend.toSession({ cookie: jar.header() })).data.id);
    const settings = await frontend.getSettingsFlow({ id: settingsId2, cookie: jar.header() });
    const spa = await failure(
      frontend.updateSettingsFlow({ flow: settingsId2, cookie: jar.header(), updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(settings.data) } }),
    );
    assert.equal(spa.status, 403);
    assert.equal(spa.data.error.id, 'session_refresh_required');
    const form = await fetch(`${porta.publicURL}/self-service/settings?flow=${settingsId2}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: jar.header() },
      body: new URLSearchParams({ method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(settings.data) }),
    });
    await form.arrayBuffer();
    assert.equal(form.status, 303);
    assert.equal(form.headers.get('location'), spa.data.redirect_browser_to);
    assert.equal((await failure(nativeLogin(spaEmail, NEW_PASSWORD))).status, 400, 'the password did not change');
  });
});
