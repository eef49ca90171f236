import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Config } from '../../src/config/config.js';
import { embeddedDefaults } from '../../src/cmd/defaults.js';
import { createCourierWorker } from '../../src/cmd/serve.js';
import { createSender, DevMailboxSender, NoSmtpError } from '../../src/courier/sender.js';
import { SmtpSender } from '../../src/courier/smtp.js';
import { startApp, type TestApp } from '../helpers/harness.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'porta-mailbox-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const silent = pino({ level: 'silent' });

/** Porta with `npm start`'s embedded configuration, in memory instead of ./.porta/porta.sqlite. */
function npmStartApp(over: Record<string, any> = {}): Promise<TestApp> {
  const dir = tempDir();
  return startApp({ baseConfig: () => embeddedDefaults(dir), config: over });
}

async function get(t: TestApp, url: string) {
  return t.app.public.inject({ method: 'GET', url, headers: { host: t.config.publicBaseURL.host } });
}

describe("npm start's embedded configuration: verification on, mail to the dev mailbox", () => {
  test('verification is enabled with the code method, the built-in page, and show_verification_ui after the session hook', () => {
    const c = Config.load({ values: embeddedDefaults(tempDir()), env: {} });
    assert.equal(c.dev, true);
    assert.equal(c.verificationEnabled, true);
    assert.equal(c.codeMethod.enabled, true);
    assert.equal(c.flowUIURL('verification').href, 'http://127.0.0.1:4433/ui/verification');
    assert.deepEqual(
      c.flowHooks('registration', 'after', 'password').map((h) => h.hook),
      ['session', 'show_verification_ui'],
    );
    assert.equal(c.courier.smtp.connectionURI, undefined);
    assert.deepEqual(c.warnings, []);
  });

  test('the sender factory: SMTP when configured, the dev mailbox only in dev mode without it, otherwise refused', () => {
    const devConfig = Config.load({ values: embeddedDefaults(tempDir()), env: {} });
    assert.ok(createSender({ dev: true, settings: devConfig.courier }) instanceof DevMailboxSender);
    assert.throws(() => createSender({ dev: false, settings: devConfig.courier }), (e: Error) => e instanceof NoSmtpError && e.message.includes('courier.smtp.connection_uri'));
    const smtp = Config.load({ values: { ...embeddedDefaults(tempDir()), courier: { smtp: { connection_uri: 'smtp://127.0.0.1:2525/' } } }, env: {} });
    const sender = createSender({ dev: true, settings: smtp.courier });
    assert.ok(sender instanceof SmtpSender);
    sender.close();
  });

  test('the mailbox page lists queued mail newest first; the dev-mailbox worker marks it sent without a network', async () => {
    const t = await npmStartApp();
    try {
      const empty = await get(t, '/ui/dev/mailbox');
      assert.equal(empty.statusCode, 200);
      assert.match(empty.headers['content-security-policy'] as string, /default-src 'none'/);
      assert.match(empty.body, /<h1 id="page-title">Dev mailbox<\/h1>/);
      assert.match(empty.body, /data-testid="mailbox-empty"/);

      // Registration through the API, as `npm start` is configured: the verification mail is queued.
      const flow = await (await t.app.public.inject({ method: 'GET', url: '/self-service/registration/api' })).json();
      const reg = await t.app.public.inject({
        method: 'POST',
        url: `/self-service/registration?flow=${flow.id}`,
        payload: { method: 'password', password: 'correct horse battery staple 42', traits: { email: 'first@example.org' } },
      });
      assert.equal(reg.statusCode, 200, reg.body);
      assert.equal(reg.json().continue_with.find((c: { action: string }) => c.action === 'show_verification_ui')?.flow.verifiable_address, 'first@example.org');
      const later = t.app.registry.courier.email('verification_code_valid', 'second@example.org', { verification_code: '654321' });
      await t.app.registry.persister.courier.enqueue([later]);

      const queued = await get(t, '/ui/dev/mailbox');
      const order = [...queued.body.matchAll(/data-testid="mailbox-recipient">([^<]*)</g)].map((m) => m[1]);
      assert.deepEqual(order, ['second@example.org', 'first@example.org']);
      assert.match(queued.body, /654321/);
      const statuses = [...queued.body.matchAll(/data-testid="mailbox-status">([^<]*)</g)].map((m) => m[1]);
      assert.deepEqual(statuses, ['queued', 'queued']);

      const worker = createCourierWorker(t.config, t.app.registry.persister, t.app.registry.courier.templates, silent);
      assert.equal(await worker.runOnce(), 2);
      const sent = await get(t, '/ui/dev/mailbox');
      assert.deepEqual([...sent.body.matchAll(/data-testid="mailbox-status">([^<]*)</g)].map((m) => m[1]), ['sent', 'sent']);
      // Nothing is left to claim: a sent message is never retried.
      assert.equal(await worker.runOnce(), 0);
    } finally {
      await t.close();
    }
  });

  test('values are HTML-escaped on the mailbox page', async () => {
    const t = await npmStartApp();
    try {
      const m = t.app.registry.courier.email('verification_code_valid', 'a&b@example.org', { verification_code: '111111' });
      await t.app.registry.persister.courier.enqueue([m]);
      const res = await get(t, '/ui/dev/mailbox');
      assert.match(res.body, /a&amp;b@example.org/);
      assert.doesNotMatch(res.body, /a&b@example.org/);
    } finally {
      await t.close();
    }
  });

  test('outside dev mode there is no mailbox page (404), whatever sends mail', async () => {
    // npm start's verification without SMTP is refused outside dev mode (see test/e2e/mail-startup.test.ts).
    assert.throws(() => Config.load({ values: { ...embeddedDefaults(tempDir()), dev: false }, env: {} }), /courier\.smtp\.connection_uri/);
    for (const over of [{ dev: false, selfservice: { flows: { verification: { enabled: false }, recovery: { enabled: false } } } }, { dev: false, courier: { smtp: { connection_uri: 'smtp://127.0.0.1:2525/' } }, selfservice: { flows: { verification: { enabled: true } } } }]) {
      const t = await npmStartApp(over);
      try {
        assert.equal(t.config.dev, false);
        const res = await get(t, '/ui/dev/mailbox');
        assert.equal(res.statusCode, 404);
        assert.match(res.body, /There is no page at this address/);
        assert.equal((await get(t, '/ui/welcome')).statusCode, 303, 'the rest of the UI is there');
      } finally {
        await t.close();
      }
    }
  });
});
