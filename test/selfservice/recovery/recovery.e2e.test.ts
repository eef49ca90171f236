import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Configuration, FrontendApi, IdentityApi } from '@ory/client';
import { forEachSpawnBackend, spawnPorta, type PortaProcess } from '../../helpers/spawn.js';
import { startSink, type Sink } from '../../helpers/smtp-sink.js';
import { courierConfig } from '../../helpers/courier-spawn.js';
import { CookieJar } from '../../helpers/jar.js';

/**
 * Recovery with the code method against a spawned `porta serve --watch-courier`: the code is read from
 * the mail the real SMTP sink received. Covers spec cases 34-37, 41-45, 47, 49-51, 53, 55, 56, 90-92.
 */

const PASSWORD = 'correct-horse-battery-staple-41';

function codeOf(text: string): string {
  const m = /\b(\d{6})\b/.exec(text);
  assert.ok(m, `no code in mail: ${text}`);
  return m[1];
}

forEachSpawnBackend('recovery with the code method', (backend) => {
  let porta: PortaProcess;
  let sink: Sink;
  let frontend: FrontendApi;
  let admin: IdentityApi;
  const email = `rec-${backend}@example.com`;
  let identityId: string;

  /** Waits for the next mail to `to` after `seen` mails and returns its text. */
  async function nextMail(to: string, seen: number): Promise<{ subject: string; text: string }> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const mails = sink.received.filter((r) => r.mail.to && JSON.stringify(r.mail.to).includes(to));
      if (mails.length > seen) {
        const m = mails[seen].mail;
        return { subject: m.subject ?? '', text: m.text ?? '' };
      }
      if (Date.now() > deadline) throw new Error(`no mail to ${to}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const mailCount = (to: string) => sink.received.filter((r) => JSON.stringify(r.mail.to ?? '').includes(to)).length;

  before(async () => {
    sink = await startSink({ starttls: false });
    porta = await spawnPorta({
      backend,
      args: ['--watch-courier'],
      config: courierConfig(sink, {
        // Every test mails the same address; the shared send throttle must not drop a code here.
        porta: { send_throttle: { per_recipient: 50 } },
        selfservice: {
          flows: {
            recovery: { enabled: true, ui_url: 'http://localhost:4455/recovery', notify_unknown_recipients: true },
            settings: { ui_url: 'http://localhost:4455/settings' },
          },
        },
      }),
    });
    frontend = new FrontendApi(new Configuration({ basePath: porta.publicURL }));
    admin = new IdentityApi(new Configuration({ basePath: porta.adminURL }));
    const created = await admin.createIdentity({
      createIdentityBody: { schema_id: 'default', traits: { email, website: 'https://www.example.org/' }, credentials: { password: { config: { password: PASSWORD } } } },
    });
    identityId = created.data.id;
  });
  after(async () => {
    await porta?.stop();
    await sink?.close();
  });

  test('native: init, send, wrong code (200, 4060006), right code (200, continue_with token and settings flow)', async () => {
    const init = await frontend.createNativeRecoveryFlow();
    assert.equal(init.status, 200);
    assert.equal(init.data.type, 'api');
    assert.equal(init.data.state, 'choose_method');
    assert.equal(init.data.active, 'code');
    assert.equal(init.headers['set-cookie'], undefined);
    assert.deepEqual(init.data.ui.nodes.map((n: any) => n.attributes.name), ['csrf_token', 'email', 'method']);
    assert.equal(init.data.ui.messages, undefined);

    const seen = mailCount(email);
    const sent = await frontend.updateRecoveryFlow({ flow: init.data.id, updateRecoveryFlowBody: { method: 'code', email } });
    assert.equal(sent.status, 200);
    assert.equal(sent.data.state, 'sent_email');
    assert.deepEqual(sent.data.ui.messages?.map((m) => m.id), [1060003]);
    const names = sent.data.ui.nodes.map((n: any) => `${n.attributes.name}:${n.attributes.type}`);
    assert.deepEqual(names, ['csrf_token:hidden', 'code:text', 'method:hidden', 'method:submit', 'email:submit']);
    const codeNode = sent.data.ui.nodes[1].attributes as any;
    assert.equal(codeNode.maxlength, 6);
    assert.equal(codeNode.pattern, '[0-9]+');
    assert.equal(codeNode.autocomplete, 'one-time-code');
    assert.equal(JSON.stringify(sent.data).includes('recovery_internal'), false, 'the stored code never leaves the server');

    const mail = await nextMail(email, seen);
    const code = codeOf(mail.text);
    // The subject text is the courier's built-in template (not Kratos's wording); it carries the code.
    assert.ok(mail.subject.includes(code));

    const wrong = await frontend.updateRecoveryFlow({ flow: init.data.id, updateRecoveryFlowBody: { method: 'code', code: code === '000000' ? '111111' : '000000' } });
    assert.equal(wrong.status, 200);
    assert.deepEqual(wrong.data.ui.messages?.map((m) => m.id), [4060006]);

    const ok = await fetch(`${porta.publicURL}/self-service/recovery?flow=${init.data.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ method: 'code', code }),
    });
    // Native clients get the token and the settings flow in continue_with (Kratos's continue-with answer).
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as any;
    assert.equal(body.state, 'passed_challenge');
    assert.deepEqual(body.continue_with.map((c: any) => c.action), ['set_ory_session_token', 'show_settings_ui']);
    assert.match(body.continue_with[0].ory_session_token, /^ory_st_/);
    assert.equal(body.continue_with[1].flow.url, `http://localhost:4455/settings?flow=${body.continue_with[1].flow.id}`);
    assert.equal(ok.headers.get('set-cookie'), null);

    // Single use: the same code again is a wrong code.
    const again = await frontend.updateRecoveryFlow({ flow: init.data.id, updateRecoveryFlowBody: { method: 'code', code } }).catch((e) => e.response);
    assert.notEqual(again.status, 422);
  });

  test('browser form posts: 303s, a session cookie with code_recovery, the address verified, the settings init next', async () => {
    const jar = new CookieJar();
    const init = await fetch(`${porta.publicURL}/self-service/recovery/browser?return_to=https://www.example.org/after`, { redirect: 'manual', headers: { accept: 'text/html' } });
    assert.equal(init.status, 303);
    jar.store(init.headers);
    const location = new URL(init.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, 'http://localhost:4455/recovery');
    const flowId = location.searchParams.get('flow')!;
    const flow = (await (await fetch(`${porta.publicURL}/self-service/recovery/flows?id=${flowId}`, { headers: { cookie: jar.header() } })).json()) as any;
    assert.equal(flow.return_to, 'https://www.example.org/after');
    const csrf = flow.ui.nodes.find((n: any) => n.attributes.name === 'csrf_token').attributes.value;

    // No cookie: the flow is not readable (CSRF binding).
    assert.equal((await fetch(`${porta.publicURL}/self-service/recovery/flows?id=${flowId}`)).status, 403);

    const seen = mailCount(email);
    const post = (form: Record<string, string>) =>
      fetch(`${porta.publicURL}/self-service/recovery?flow=${flowId}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: jar.header() },
        body: new URLSearchParams(form).toString(),
      });
    // Without the CSRF token: refused.
    const noCsrf = await post({ method: 'code', email });
    assert.equal(noCsrf.status, 303);
    assert.match(noCsrf.headers.get('location')!, /^http:\/\/localhost:4455\/error\?id=/);

    const sent = await post({ method: 'code', email: email.toUpperCase(), csrf_token: csrf });
    assert.equal(sent.status, 303);
    assert.equal(sent.headers.get('location'), `http://localhost:4455/recovery?flow=${flowId}`);
    const code = codeOf((await nextMail(email, seen)).text);

    const done = await post({ method: 'code', code, csrf_token: csrf });
    assert.equal(done.status, 303);
    const settingsAt = new URL(done.headers.get('location')!);
    assert.equal(`${settingsAt.origin}${settingsAt.pathname}`, 'http://localhost:4455/settings');
    jar.store(done.headers);
    const settings = await frontend.getSettingsFlow({ id: settingsAt.searchParams.get('flow')!, cookie: jar.header() });
    assert.equal(settings.data.type, 'browser');
    assert.equal(settings.data.return_to, 'https://www.example.org/after');
    assert.deepEqual(settings.data.ui.messages?.map((m) => m.id), [1060001]);
    assert.ok(jar.get('ory_kratos_session'));
    const whoami = await frontend.toSession({ cookie: jar.header() });
    assert.equal(whoami.data.identity?.id, identityId);
    assert.equal(whoami.data.authentication_methods?.[0].method, 'code_recovery');
    assert.ok(Date.now() - Date.parse(whoami.data.authenticated_at!) < 60_000, 'privileged: authenticated now');
    const identity = await admin.getIdentity({ id: identityId });
    const address = identity.data.verifiable_addresses?.find((a) => a.value === email);
    assert.equal(address?.verified, true);
    assert.equal(address?.status, 'completed');

    // A browser with a session cannot start another recovery.
    const again = await fetch(`${porta.publicURL}/self-service/recovery/browser`, { redirect: 'manual', headers: { cookie: jar.header(), accept: 'text/html' } });
    assert.equal(again.status, 302);
    const spa = await fetch(`${porta.publicURL}/self-service/recovery/browser`, { headers: { cookie: jar.header(), accept: 'application/json' } });
    assert.equal(spa.status, 400);
    assert.equal(((await spa.json()) as any).error.id, 'session_already_available');
  });

  test('SPA: JSON submits with the CSRF cookie; success is a 422 with redirect_browser_to and a session cookie', async () => {
    const jar = new CookieJar();
    const init = await fetch(`${porta.publicURL}/self-service/recovery/browser`, { headers: { accept: 'application/json' } });
    assert.equal(init.status, 200);
    jar.store(init.headers);
    const flow = (await init.json()) as any;
    const csrf = flow.ui.nodes.find((n: any) => n.attributes.name === 'csrf_token').attributes.value;
    const seen = mailCount(email);
    const sent = await frontend.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: 'code', email, csrf_token: csrf }, cookie: jar.header() });
    assert.equal(sent.status, 200);
    const code = codeOf((await nextMail(email, seen)).text);
    const res = await frontend
      .updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: 'code', code, csrf_token: csrf }, cookie: jar.header() })
      .catch((e) => e.response);
    assert.equal(res.status, 422);
    assert.equal(res.data.error.id, 'browser_location_change_required');
    assert.match(res.data.redirect_browser_to, /^http:\/\/localhost:4455\/settings\?flow=[0-9a-f-]{36}$/);
    jar.store(new Headers(Object.entries(res.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, String(v)]])) as [string, string][]));
    assert.ok(jar.get('ory_kratos_session'));
  });

  test('enumeration: an unknown address gets the same answer and the invalid template; a missing or bad email is a node message', async () => {
    const init = await frontend.createNativeRecoveryFlow();
    const unknown = `nobody-${backend}@example.com`;
    const sent = await frontend.updateRecoveryFlow({ flow: init.data.id, updateRecoveryFlowBody: { method: 'code', email: unknown } });
    assert.equal(sent.status, 200);
    assert.equal(sent.data.state, 'sent_email');
    assert.deepEqual(sent.data.ui.messages?.map((m) => m.id), [1060003]);
    const mail = await nextMail(unknown, 0);
    // The `invalid` template: no code in it.
    assert.equal(/\b\d{6}\b/.test(`${mail.subject} ${mail.text}`), false);
    const queued = (await (await fetch(`${porta.adminURL}/admin/courier/messages?recipient=${encodeURIComponent(unknown)}`)).json()) as any[];
    assert.deepEqual(queued.map((m) => m.template_type), ['recovery_code_invalid']);
    // No code was stored, so any code is wrong.
    const wrong = await frontend.updateRecoveryFlow({ flow: init.data.id, updateRecoveryFlowBody: { method: 'code', code: '123456' } });
    assert.deepEqual(wrong.data.ui.messages?.map((m) => m.id), [4060006]);

    const fresh = await frontend.createNativeRecoveryFlow();
    const missing = await frontend.updateRecoveryFlow({ flow: fresh.data.id, updateRecoveryFlowBody: { method: 'code' } as any }).catch((e) => e.response);
    assert.equal(missing.status, 400);
    assert.equal(missing.data.ui.nodes.find((n: any) => n.attributes.name === 'email').messages[0].id, 4000002);
    const bad = await frontend.updateRecoveryFlow({ flow: fresh.data.id, updateRecoveryFlowBody: { method: 'code', email: 'asdf' } }).catch((e) => e.response);
    assert.equal(bad.status, 400);
    assert.equal(bad.data.ui.nodes.find((n: any) => n.attributes.name === 'email').messages[0].id, 4000040);
  });

  test('resend kills the first code; five wrong codes then the right one: a new flow with 4000001 and no session', async () => {
    const init = await frontend.createNativeRecoveryFlow();
    const seen = mailCount(email);
    await frontend.updateRecoveryFlow({ flow: init.data.id, updateRecoveryFlowBody: { method: 'code', email } });
    const first = codeOf((await nextMail(email, seen)).text);
    await frontend.updateRecoveryFlow({ flow: init.data.id, updateRecoveryFlowBody: { method: 'code', email } });
    const second = codeOf((await nextMail(email, seen + 1)).text);
    if (first !== second) {
      const old = await frontend.updateRecoveryFlow({ flow: init.data.id, updateRecoveryFlowBody: { method: 'code', code: first } });
      assert.deepEqual(old.data.ui.messages?.map((m) => m.id), [4060006]);
    }
    const wrongCode = second === '000000' ? '111111' : '000000';
    for (let i = first !== second ? 1 : 0; i < 5; i++) {
      const r = await frontend.updateRecoveryFlow({ flow: init.data.id, updateRecoveryFlowBody: { method: 'code', code: wrongCode } });
      assert.equal(r.status, 200);
    }
    const sixth = await fetch(`${porta.publicURL}/self-service/recovery?flow=${init.data.id}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ method: 'code', code: second }),
    });
    assert.equal(sixth.status, 303);
    const next = new URL(sixth.headers.get('location')!);
    assert.equal(next.pathname, '/self-service/recovery/flows');
    const replacement = await frontend.getRecoveryFlow({ id: next.searchParams.get('id')! });
    assert.notEqual(replacement.data.id, init.data.id);
    assert.deepEqual(replacement.data.ui.messages?.map((m) => [m.id, m.text]), [[4000001, 'The request was submitted too often. Please request another code.']]);
    assert.ok(replacement.data.ui.nodes.some((n: any) => n.attributes.name === 'email'));
  });

  test('admin recovery code: 201 with link and code; the flow opens without cookies and the code signs in', async () => {
    const res = await fetch(`${porta.adminURL}/admin/recovery/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity_id: identityId, expires_in: '24h' }),
    });
    assert.equal(res.status, 201);
    const body = (await res.json()) as any;
    assert.match(body.recovery_code, /^\d{6}$/);
    const link = new URL(body.recovery_link);
    assert.equal(`${link.origin}${link.pathname}`, 'http://localhost:4455/recovery');
    assert.ok(Math.abs(Date.parse(body.expires_at) - Date.now() - 24 * 3600_000) < 60_000);
    const flowId = link.searchParams.get('flow')!;
    const flow = await frontend.getRecoveryFlow({ id: flowId });
    assert.equal(flow.data.state, 'sent_email');
    assert.deepEqual(flow.data.ui.nodes.map((n: any) => n.attributes.name), ['code', 'method']);
    const done = await fetch(`${porta.publicURL}/self-service/recovery?flow=${flowId}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ method: 'code', code: body.recovery_code }).toString(),
    });
    assert.equal(done.status, 303);
    assert.match(done.headers.get('location')!, /^http:\/\/localhost:4455\/settings\?flow=[0-9a-f-]{36}$/);
    assert.match(done.headers.get('set-cookie') ?? '', /ory_kratos_session=/);

    const unknown = await fetch(`${porta.adminURL}/admin/recovery/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity_id: '00000000-0000-4000-8000-000000000000' }),
    });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as any).error.reason, 'could not find identity');
    for (const [value, reason] of [
      ['not-a-valid-value', 'Unable to parse "expires_in" as a duration string (e.g. "1h", "1m30s", "500ms"): not-a-valid-value'],
      ['-1h', 'Value from "expires_in" must result to a future time: -1h0m0s'],
    ]) {
      const r = await fetch(`${porta.adminURL}/admin/recovery/code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identity_id: identityId, expires_in: value }),
      });
      assert.equal(r.status, 400);
      assert.equal(((await r.json()) as any).error.reason, reason);
    }
  });
});
