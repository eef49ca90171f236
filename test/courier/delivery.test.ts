import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { startSink, type Sink } from '../helpers/smtp-sink.js';
import { enqueueMails } from '../helpers/courier.js';
import { createCourierWorker } from '../../src/cmd/serve.js';
import type { CourierWorker } from '../../src/courier/worker.js';

/** Delivery over a real SMTP server on loopback: headers, TLS modes, retries and abandonment. */

async function withWorker(t: TestApp, fn: (w: CourierWorker) => Promise<void>): Promise<void> {
  const w = createCourierWorker(t.config, t.app.registry.persister, t.app.registry.courier.templates, t.app.registry.logger);
  w.start();
  try {
    await fn(w);
  } finally {
    await w.stop();
  }
}

async function adminGet(t: TestApp, path: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${t.adminURL}${path}`);
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function waitStatus(t: TestApp, id: string, status: string): Promise<any> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = (await adminGet(t, `/admin/courier/messages/${id}`)).body;
    if (m.status === status) return m;
    if (Date.now() > deadline) throw new Error(`message ${id} stayed ${m.status}, expected ${status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

forEachBackend('courier delivery over SMTP', (backend) => {
  let sink: Sink;
  before(async () => {
    sink = await startSink();
  });
  after(() => sink.close());

  const app = (smtp: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    startApp({ backend, listen: true, config: { courier: { smtp, worker: { pull_wait: '50ms' }, ...extra } } });

  test('delivers with From name, configured headers, local_name, text and HTML; the message becomes sent with a success dispatch', async () => {
    const t = await app({
      connection_uri: `smtp://127.0.0.1:${sink.port}/?disable_starttls=true`,
      from_name: 'Porta Test',
      from_address: 'accounts@example.org',
      headers: { 'X-Porta-Test': 'yes' },
      local_name: 'mailer.example.org',
    });
    try {
      const before = sink.received.length;
      const [id] = await enqueueMails(t.app.registry.persister, [{ to: 'delivery@example.com', model: { verification_code: '424242', verification_url: 'https://x.example/v?a=1&b=<2>', expires_in_minutes: 60 } }]);
      await withWorker(t, () => sink.waitFor(before + 1));
      const got = sink.received.find((r) => r.mail.messageId === `<${id}@mailer.example.org>`);
      assert.ok(got, 'the mail carries the courier message id in its Message-ID');
      assert.equal(got.mail.from?.value[0].address, 'accounts@example.org');
      assert.equal(got.mail.from?.value[0].name, 'Porta Test');
      assert.equal((got.mail.to as { value: Array<{ address: string }> }).value[0].address, 'delivery@example.com');
      assert.equal(got.mail.headers.get('x-porta-test'), 'yes');
      assert.equal(got.heloName, 'mailer.example.org');
      assert.equal(got.secure, false);
      assert.match(got.mail.subject ?? '', /424242/);
      assert.match(got.mail.text ?? '', /424242/);
      // Values are HTML-escaped in the HTML body, not in the plain text.
      assert.ok((got.mail.html || '').includes('https://x.example/v?a=1&amp;b=&lt;2&gt;'));
      assert.ok((got.mail.text ?? '').includes('https://x.example/v?a=1&b=<2>'));
      const m = await waitStatus(t, id, 'sent');
      assert.equal(m.send_count, 1);
      assert.equal(m.dispatches.length, 1);
      assert.equal(m.dispatches[0].status, 'success');
      assert.equal(m.dispatches[0].message_id, id);
    } finally {
      await t.close();
    }
  });

  test('smtp:// upgrades with STARTTLS when offered; disable_starttls=true stays in clear text', async () => {
    for (const [query, secure] of [['?skip_ssl_verify=true', true], ['?disable_starttls=true', false]] as const) {
      const t = await app({ connection_uri: `smtp://127.0.0.1:${sink.port}/${query}` });
      try {
        const before = sink.received.length;
        const [id] = await enqueueMails(t.app.registry.persister, [{ to: 'tls@example.com' }]);
        await withWorker(t, () => sink.waitFor(before + 1));
        const got = sink.received.find((r) => r.mail.messageId?.startsWith(`<${id}@`));
        assert.equal(got?.secure, secure, query);
      } finally {
        await t.close();
      }
    }
  });

  test('with credentials in the URI, smtp:// requires STARTTLS: a server that does not offer it never sees the mail', async () => {
    const plain = await startSink({ starttls: false });
    const t = await app({ connection_uri: `smtp://porta:pa55w0rd@127.0.0.1:${plain.port}/` }, { message_retries: 0 });
    try {
      const [id] = await enqueueMails(t.app.registry.persister, [{ to: 'creds@example.com' }]);
      await withWorker(t, async () => {
        const m = await waitStatus(t, id, 'abandoned');
        assert.equal(m.dispatches[0].status, 'failed');
        assert.doesNotMatch(JSON.stringify(m), /pa55w0rd/);
      });
      assert.equal(plain.attempts, 0);
    } finally {
      await t.close();
      await plain.close();
    }
  });

  test('smtps:// is implicit TLS; an untrusted certificate fails unless skip_ssl_verify=true', async () => {
    const tls = await startSink({ secure: true });
    const t = await app({ connection_uri: `smtps://127.0.0.1:${tls.port}/` }, { message_retries: 0 });
    const t2 = await app({ connection_uri: `smtps://127.0.0.1:${tls.port}/?skip_ssl_verify=true&server_name=localhost` });
    try {
      const [bad] = await enqueueMails(t.app.registry.persister, [{ to: 'untrusted@example.com' }]);
      await withWorker(t, async () => {
        const m = await waitStatus(t, bad, 'abandoned');
        assert.equal(m.dispatches[0].status, 'failed');
        assert.equal(m.dispatches[0].error.message, 'failed to send email via smtp');
      });
      assert.equal(tls.received.length, 0);
      const [good] = await enqueueMails(t2.app.registry.persister, [{ to: 'trusted@example.com' }]);
      await withWorker(t2, () => tls.waitFor(1));
      assert.equal(tls.received[0].secure, true);
      assert.ok(tls.received[0].mail.messageId?.startsWith(`<${good}@`));
    } finally {
      await Promise.all([t.close(), t2.close()]);
      await tls.close();
    }
  });

  test('a 4xx answer is retried with backoff and abandoned after message_retries + 1 attempts', async () => {
    const failing = await startSink();
    failing.failWith = 451;
    const t = await app({ connection_uri: `smtp://127.0.0.1:${failing.port}/?disable_starttls=true` }, { message_retries: 1 });
    try {
      const [id] = await enqueueMails(t.app.registry.persister, [{ to: 'retry@example.com' }]);
      const m = await withWorker(t, () => waitStatus(t, id, 'abandoned').then(() => undefined)).then(() => adminGet(t, `/admin/courier/messages/${id}`));
      assert.equal(failing.attempts, 2);
      assert.equal(m.body.send_count, 2);
      assert.deepEqual(m.body.dispatches.map((d: any) => d.status), ['failed', 'failed']);
      assert.match(m.body.dispatches[0].error.reason, /451/);
    } finally {
      await t.close();
      await failing.close();
    }
  });

  test('a 5xx answer abandons at once; a server that recovers gets a retried message', async () => {
    const s = await startSink();
    s.failWith = 550;
    const t = await app({ connection_uri: `smtp://127.0.0.1:${s.port}/?disable_starttls=true` });
    try {
      const [dead] = await enqueueMails(t.app.registry.persister, [{ to: 'rejected@example.com' }]);
      await withWorker(t, async () => {
        const m = await waitStatus(t, dead, 'abandoned');
        assert.equal(m.send_count, 1);
        assert.equal(m.dispatches.length, 1);
        assert.equal(s.attempts, 1);
        s.failWith = 451;
        const [later] = await enqueueMails(t.app.registry.persister, [{ to: 'later@example.com' }]);
        await s.waitForAttempts(2);
        s.failWith = null;
        const sent = await waitStatus(t, later, 'sent');
        assert.deepEqual(sent.dispatches.map((d: any) => d.status), ['success', 'failed']);
      });
    } finally {
      await t.close();
      await s.close();
    }
  });
});
