import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Configuration, FrontendApi } from '@ory/client';
import { forEachSpawnBackend, spawnPorta, type PortaProcess } from '../../helpers/spawn.js';
import { startSink, type Sink } from '../../helpers/smtp-sink.js';
import { CookieJar } from '../../helpers/jar.js';

/** Verification around registration (show_verification_ui, spec §10 H 80-82) and login (require_verified_address, H 83). */

const UI = 'http://localhost:4455/verification';
const PASSWORD = 'correct-horse-battery-9Z!';

forEachSpawnBackend('verification after registration and before login', (backend) => {
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
        selfservice: {
          flows: {
            verification: { enabled: true, ui_url: UI },
            registration: { after: { password: { hooks: [{ hook: 'show_verification_ui' }, { hook: 'session' }] } } },
            login: { after: { password: { hooks: [{ hook: 'require_verified_address' }] } } },
          },
        },
      },
    });
    sdk = new FrontendApi(new Configuration({ basePath: porta.publicURL }));
  });
  after(async () => {
    await porta?.stop();
    await sink?.close();
  });

  async function codeFor(to: string): Promise<string> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const m = sink.received.find((r) => JSON.stringify(r.mail.to).includes(to));
      if (m) return /\b(\d{6})\b/.exec(m.mail.subject ?? '')![1];
      if (Date.now() > deadline) throw new Error(`no mail to ${to}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const traits = (email: string) => ({ email, website: 'https://www.example.org/' });

  test('native registration: continue_with has show_verification_ui then the session token; the mailed code verifies that flow; then login passes', async () => {
    const email = `reg-native-${backend}@example.com`;
    const { data: flow } = await sdk.createNativeRegistrationFlow();
    const { data } = await sdk.updateRegistrationFlow({ flow: flow.id, updateRegistrationFlowBody: { method: 'password', password: PASSWORD, traits: traits(email) } });
    const cw = data.continue_with as any[];
    assert.deepEqual(cw.map((c) => c.action), ['show_verification_ui', 'set_ory_session_token']);
    assert.equal(cw[0].flow.verifiable_address, email);
    assert.equal(cw[0].flow.url, undefined, 'API flows carry no UI url');
    const code = await codeFor(email);

    // Unverified: the login gate refuses with Kratos's error and points at a verification flow.
    const { data: login } = await sdk.createNativeLoginFlow();
    const refused = await fetch(`${porta.publicURL}/self-service/login?flow=${login.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ method: 'password', identifier: email, password: PASSWORD }),
    });
    assert.equal(refused.status, 403);
    const err = (await refused.json()).error;
    assert.equal(err.id, 'session_verified_address_required');
    assert.equal(err.details.continue_with[0].action, 'show_verification_ui');

    const { data: done } = await sdk.updateVerificationFlow({ flow: cw[0].flow.id, updateVerificationFlowBody: { method: 'code', code } });
    assert.equal(done.state, 'passed_challenge');
    const { data: who } = await sdk.toSession({ xSessionToken: data.session_token });
    assert.equal(who.identity?.verifiable_addresses?.[0].verified, true, 'whoami shows the verified address');
    assert.equal(who.identity?.verifiable_addresses?.[0].status, 'completed');

    const { data: login2 } = await sdk.createNativeLoginFlow();
    const ok = await sdk.updateLoginFlow({ flow: login2.id, updateLoginFlowBody: { method: 'password', identifier: email, password: PASSWORD } });
    assert.ok(ok.data.session_token);
  });

  test('browser registration: 303 to the verification UI with the session cookie; the flow loads with the new cookies; browser login of an unverified identity goes to verification without a session', async () => {
    const email = `reg-browser-${backend}@example.com`;
    const jar = new CookieJar();
    const init = await fetch(`${porta.publicURL}/self-service/registration/browser`, { redirect: 'manual' });
    jar.store(init.headers);
    const id = new URL(init.headers.get('location') as string).searchParams.get('flow') as string;
    const flow = await (await fetch(`${porta.publicURL}/self-service/registration/flows?id=${id}`, { headers: { cookie: jar.header() } })).json();
    const csrf = flow.ui.nodes.find((n: any) => n.attributes.name === 'csrf_token').attributes.value;
    const res = await fetch(`${porta.publicURL}/self-service/registration?flow=${id}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: jar.header() },
      body: new URLSearchParams({ method: 'password', password: PASSWORD, 'traits.email': email, 'traits.website': 'https://www.example.org/', csrf_token: csrf }).toString(),
    });
    assert.equal(res.status, 303);
    const location = res.headers.get('location') as string;
    assert.ok(location.startsWith(`${UI}?flow=`), location);
    jar.store(res.headers);
    assert.ok(jar.get('ory_kratos_session'), 'the session hook still sets the cookie');
    const vid = new URL(location).searchParams.get('flow');
    const vres = await fetch(`${porta.publicURL}/self-service/verification/flows?id=${vid}`, { headers: { cookie: jar.header() } });
    assert.equal(vres.status, 200);
    const vflow = await vres.json();
    assert.equal(vflow.state, 'sent_email');
    await codeFor(email);

    // Browser login while unverified: 303 to a verification flow, no session cookie.
    const ljar = new CookieJar();
    const linit = await fetch(`${porta.publicURL}/self-service/login/browser`, { redirect: 'manual' });
    ljar.store(linit.headers);
    const lid = new URL(linit.headers.get('location') as string).searchParams.get('flow') as string;
    const lflow = await (await fetch(`${porta.publicURL}/self-service/login/flows?id=${lid}`, { headers: { cookie: ljar.header() } })).json();
    const lcsrf = lflow.ui.nodes.find((n: any) => n.attributes.name === 'csrf_token').attributes.value;
    const lres = await fetch(`${porta.publicURL}/self-service/login?flow=${lid}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: ljar.header() },
      body: new URLSearchParams({ method: 'password', identifier: email, password: PASSWORD, csrf_token: lcsrf }).toString(),
    });
    assert.equal(lres.status, 303);
    assert.ok((lres.headers.get('location') as string).startsWith(`${UI}?flow=`));
    assert.ok(!(lres.headers.get('set-cookie') ?? '').includes('ory_kratos_session'));
  });
});
