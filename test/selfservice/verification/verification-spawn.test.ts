import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Configuration, FrontendApi } from '@ory/client';
import { forEachSpawnBackend, spawnPorta, type PortaProcess } from '../../helpers/spawn.js';
import { startSink, type Sink } from '../../helpers/smtp-sink.js';
import { CookieJar } from '../../helpers/jar.js';

/**
 * The verification flow with the `code` method against a spawned `porta serve --watch-courier`, the mail
 * delivered to a real SMTP server on loopback and the code read from the delivered email (spec §10 G).
 */

const UI = 'http://localhost:4455/verification';

forEachSpawnBackend('verification flow, code method', (backend) => {
  let sink: Sink;
  let porta: PortaProcess;
  let sdk: FrontendApi;

  before(async () => {
    sink = await startSink({ starttls: false });
    porta = await spawnPorta({
      backend,
      args: ['--watch-courier'],
      config: {
        courier: { smtp: { connection_uri: `smtp://127.0.0.1:${sink.port}/?disable_starttls=true` }, worker: { pull_wait: '50ms' } },
        selfservice: { flows: { verification: { enabled: true, ui_url: UI } } },
        porta: { send_throttle: { per_recipient: 4 } },
      },
    });
    sdk = new FrontendApi(new Configuration({ basePath: porta.publicURL }));
  });
  after(async () => {
    await porta?.stop();
    await sink?.close();
  });

  async function createIdentity(email: string): Promise<any> {
    const res = await fetch(`${porta.adminURL}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema_id: 'default', traits: { email, website: 'https://www.example.org/' } }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return res.json();
  }
  async function getIdentity(id: string): Promise<any> {
    return (await fetch(`${porta.adminURL}/admin/identities/${id}`)).json();
  }
  /** The newest delivered mail to `to`, waiting for it. */
  async function mailTo(to: string, count = 1): Promise<{ subject: string; text: string }> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const mails = sink.received.filter((r) => r.mail.to && JSON.stringify(r.mail.to).includes(to));
      if (mails.length >= count) {
        const m = mails[count - 1].mail;
        return { subject: m.subject ?? '', text: m.text ?? '' };
      }
      if (Date.now() > deadline) throw new Error(`no mail #${count} to ${to}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const codeOf = (text: string) => {
    const m = /\b(\d{6})\b/.exec(text);
    assert.ok(m, `a six-digit code in: ${text}`);
    return m[1];
  };
  const mailsTo = (to: string) => sink.received.filter((r) => JSON.stringify(r.mail.to).includes(to)).length;

  test('native (@ory/client): init, send, code from the mail verifies; whoami-independent admin view shows verified; reuse is replaced', async () => {
    const email = `native-${backend}@example.com`;
    const identity = await createIdentity(email);
    const { data: flow } = await sdk.createNativeVerificationFlow();
    assert.equal(flow.state, 'choose_method');
    assert.equal(flow.active, 'code');
    assert.deepEqual(flow.ui.nodes.map((n: any) => n.attributes.name), ['email', 'method'], 'API flows have no csrf_token');
    const { data: sent } = await sdk.updateVerificationFlow({ flow: flow.id, updateVerificationFlowBody: { method: 'code', email } });
    assert.equal(sent.state, 'sent_email');
    assert.equal(sent.ui.messages?.[0].id, 1080003);
    assert.ok(!JSON.stringify(sent).includes('verification_code_secret'), 'the stored code never leaves the server');
    const mail = await mailTo(email);
    const code = codeOf(mail.subject);
    assert.ok(mail.text.includes(`/self-service/verification?code=${code}&flow=${flow.id}`), 'the mail links back to the flow');
    assert.equal((await getIdentity(identity.id)).verifiable_addresses[0].status, 'sent');

    const wrong = await sdk.updateVerificationFlow({ flow: flow.id, updateVerificationFlowBody: { method: 'code', code: code === '000000' ? '111111' : '000000' } });
    assert.equal(wrong.status, 200);
    assert.equal(wrong.data.state, 'sent_email');
    assert.equal(wrong.data.ui.messages?.[0].id, 4070006);

    const { data: done } = await sdk.updateVerificationFlow({ flow: flow.id, updateVerificationFlowBody: { method: 'code', code } });
    assert.equal(done.state, 'passed_challenge');
    assert.equal(done.ui.messages?.[0].id, 1080002);
    assert.equal((done.ui as any).method, 'GET');
    const anchor = done.ui.nodes.find((n: any) => n.attributes.id === 'continue') as any;
    assert.equal(anchor.attributes.href, 'http://localhost:4455/');
    const addr = (await getIdentity(identity.id)).verifiable_addresses[0];
    assert.equal(addr.verified, true);
    assert.equal(addr.status, 'completed');
    assert.ok(addr.verified_at);

    const again = await fetch(`${porta.publicURL}/self-service/verification?flow=${flow.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ method: 'code', code }),
    });
    assert.equal(again.status, 410);
    const body = await again.json();
    assert.equal(body.error.id, 'self_service_flow_replaced');
    assert.ok(body.use_flow_id);
  });

  test('raw browser form posts: 303 to the UI, CSRF enforced on send, the mailed link pre-fills the code, the form verifies', async () => {
    const email = `browser-${backend}@example.com`;
    const identity = await createIdentity(email);
    const jar = new CookieJar();
    const init = await fetch(`${porta.publicURL}/self-service/verification/browser?return_to=https://www.example.org/after`, { redirect: 'manual' });
    assert.equal(init.status, 303);
    jar.store(init.headers);
    const id = new URL(init.headers.get('location') as string).searchParams.get('flow') as string;
    assert.ok((init.headers.get('location') as string).startsWith(`${UI}?flow=`));
    const flow = await (await fetch(`${porta.publicURL}/self-service/verification/flows?id=${id}`, { headers: { cookie: jar.header() } })).json();
    const csrf = flow.ui.nodes.find((n: any) => n.attributes.name === 'csrf_token').attributes.value;
    const post = (form: Record<string, string>, cookie = jar.header()) =>
      fetch(`${porta.publicURL}/self-service/verification?flow=${id}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie },
        body: new URLSearchParams(form).toString(),
      });

    const noCsrf = await post({ method: 'code', email });
    assert.notEqual(noCsrf.status, 200);
    assert.ok(!(noCsrf.headers.get('location') ?? '').startsWith(UI), 'a send without the CSRF token is refused');

    const sent = await post({ method: 'code', email, csrf_token: csrf });
    assert.equal(sent.status, 303);
    assert.equal(sent.headers.get('location'), `${UI}?flow=${id}`);
    const mail = await mailTo(email);
    const link = /https?:\/\/\S+\/self-service\/verification\?code=\d{6}&flow=[0-9a-f-]+/.exec(mail.text)?.[0];
    assert.ok(link, mail.text);

    // The link in a fresh browser: pre-fills the code and sets a CSRF cookie; it does not verify by itself.
    const click = await fetch(link, { redirect: 'manual' });
    assert.equal(click.status, 303);
    assert.equal(click.headers.get('location'), `${UI}?flow=${id}`);
    const fresh = new CookieJar().store(click.headers);
    assert.ok(fresh.names().some((n) => n.startsWith('csrf_token')));
    const prefilled = await (await fetch(`${porta.publicURL}/self-service/verification/flows?id=${id}`, { headers: { cookie: fresh.header() } })).json();
    const code = codeOf(mail.subject);
    assert.equal(prefilled.ui.nodes.find((n: any) => n.attributes.name === 'code').attributes.value, code);
    assert.equal((await getIdentity(identity.id)).verifiable_addresses[0].verified, false);

    const done = await post({ method: 'code', code }, fresh.header());
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), `${UI}?flow=${id}`);
    assert.ok(!(done.headers.get('set-cookie') ?? '').includes('ory_kratos_session'), 'verification issues no session');
    const final = await (await fetch(`${porta.publicURL}/self-service/verification/flows?id=${id}`, { headers: { cookie: fresh.header() } })).json();
    assert.equal(final.state, 'passed_challenge');
    assert.equal(final.ui.nodes.find((n: any) => n.attributes.id === 'continue').attributes.href, 'https://www.example.org/after');
    assert.equal((await getIdentity(identity.id)).verifiable_addresses[0].verified, true);
  });

  test('SPA: unknown address gets the same answer and no mail; resend kills the first code; the sixth try fails even with the right code', async () => {
    const jar = new CookieJar();
    const spa = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${porta.publicURL}${path}`, { ...init, headers: { accept: 'application/json', 'content-type': 'application/json', cookie: jar.header(), ...(init.headers ?? {}) } });
      jar.store(res.headers);
      return { status: res.status, body: await res.json() };
    };
    const start = async () => {
      const { status, body } = await spa('/self-service/verification/browser');
      assert.equal(status, 200);
      return { id: body.id as string, csrf: body.ui.nodes.find((n: any) => n.attributes.name === 'csrf_token').attributes.value as string };
    };
    const submit = (id: string, body: Record<string, string>) => spa(`/self-service/verification?flow=${id}`, { method: 'POST', body: JSON.stringify(body) });

    const unknown = await start();
    const before = sink.received.length;
    const u = await submit(unknown.id, { method: 'code', email: `nobody-${backend}@example.com`, csrf_token: unknown.csrf });
    assert.equal(u.status, 200);
    assert.equal(u.body.state, 'sent_email');
    assert.deepEqual(u.body.ui.messages.map((m: any) => m.id), [1080003]);

    const email = `spa-${backend}@example.com`;
    await createIdentity(email);
    const f = await start();
    await submit(f.id, { method: 'code', email, csrf_token: f.csrf });
    const first = codeOf((await mailTo(email, 1)).subject);
    await submit(f.id, { method: 'code', email, csrf_token: f.csrf });
    const second = codeOf((await mailTo(email, 2)).subject);
    assert.equal(sink.received.length - before, 2, 'the unknown address was mailed nothing');
    if (first !== second) {
      const old = await submit(f.id, { method: 'code', code: first });
      assert.equal(old.status, 200);
      assert.equal(old.body.ui.messages[0].id, 4070006, 'a resent code replaces the first');
    }
    let tries = first !== second ? 1 : 0;
    while (tries < 5) {
      const r = await submit(f.id, { method: 'code', code: second === '999999' ? '999998' : '999999' });
      assert.equal(r.body.ui.messages[0].id, 4070006);
      tries++;
    }
    const sixth = await submit(f.id, { method: 'code', code: second });
    assert.equal(sixth.status, 410);
    assert.equal(sixth.body.error.id, 'self_service_flow_replaced');
    const next = await spa(`/self-service/verification/flows?id=${sixth.body.use_flow_id}`);
    assert.equal(next.body.ui.messages[0].text, 'The request was submitted too often. Please request another code.');
  });

  test('send throttle: past per_recipient sends the answer is a flow message, the same for known and unknown, and nothing is queued', async () => {
    const known = `throttle-${backend}@example.com`;
    await createIdentity(known);
    for (const email of [known, `throttle-unknown-${backend}@example.com`]) {
      const bodies: any[] = [];
      for (let i = 0; i < 5; i++) {
        const { data: flow } = await sdk.createNativeVerificationFlow();
        const res = await fetch(`${porta.publicURL}/self-service/verification?flow=${flow.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ method: 'code', email }),
        });
        bodies.push({ status: res.status, body: await res.json() });
      }
      assert.deepEqual(bodies.slice(0, 4).map((b) => b.status), [200, 200, 200, 200]);
      assert.equal(bodies[4].status, 400, email);
      assert.equal(bodies[4].body.ui.messages[0].id, 4000001);
      assert.match(bodies[4].body.ui.messages[0].text, /Too many codes/);
    }
    await mailTo(known, 4);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(mailsTo(known), 4, 'the throttled fifth send queued nothing');
  });

  test('disabled verification and unknown flows answer as Kratos', async () => {
    const res = await fetch(`${porta.publicURL}/self-service/verification?flow=00000000-0000-4000-8000-000000000000`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{"method":"code","email":"a@b.example"}',
    });
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error.reason, 'The verification request could not be found. Please restart the flow.');
  });
});
