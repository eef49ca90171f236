import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { deepMerge, e2eConfig, runPorta, spawnPorta, startPorta, tempDir, terminate, writeConfig } from '../helpers/spawn.js';
import { enqueueMails } from '../helpers/courier.js';
import { openDb, waitFor } from '../helpers/courier-spawn.js';

/**
 * Outside dev mode Porta never pretends to send; in dev mode without SMTP the courier delivers to the dev
 * mailbox. Both through the real CLI: exit code, stderr, the banner and the admin API.
 */
describe('mail at start-up: SMTP required outside dev mode, the dev mailbox in it', () => {
  for (const flow of ['verification', 'recovery']) {
    test(`porta serve refuses ${flow} without courier.smtp.connection_uri outside dev mode, naming the key`, async () => {
      const dir = tempDir();
      const values = deepMerge(e2eConfig(`sqlite://${join(dir, 'db.sqlite')}`, 1, 1), { dev: false, selfservice: { flows: { [flow]: { enabled: true } } } });
      const res = await runPorta(['serve', '-c', writeConfig(dir, values)], { cwd: dir, timeoutMs: 60_000 });
      assert.equal(res.code, 1, res.stderr);
      assert.ok(res.stderr.includes('courier.smtp.connection_uri'), res.stderr);
      assert.ok(res.stderr.includes(`selfservice.flows.${flow}.enabled`), res.stderr);
    });
  }

  test('porta serve --dev --watch-courier without SMTP: the banner and the log name the dev mailbox, and mail is marked sent', async () => {
    const p = await spawnPorta({
      config: { log: { level: 'info' }, porta: { ui: { enabled: true } }, courier: { worker: { pull_wait: '100ms' } }, selfservice: { flows: { verification: { enabled: true } } } },
      args: ['--dev', '--watch-courier'],
    });
    try {
      const mailbox = `${p.publicURL}/ui/dev/mailbox`;
      assert.ok(p.stdout().includes(`dev mailbox: ${mailbox}`), p.stdout());
      const page = await fetch(mailbox);
      assert.equal(page.status, 200);
      await page.arrayBuffer();

      // With verification on, registration queues the verification email.
      const reg = await (await fetch(`${p.publicURL}/self-service/registration/api`)).json();
      const email = 'dev-mailbox@example.org';
      const done = await fetch(`${p.publicURL}/self-service/registration?flow=${reg.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ method: 'password', password: 'correct horse battery staple 42', traits: { email, website: 'https://www.example.org/me' } }),
      });
      assert.equal(done.status, 200, await done.text());

      let status = '';
      for (let i = 0; i < 200 && status !== 'sent'; i++) {
        const list = (await (await fetch(`${p.adminURL}/admin/courier/messages?recipient=${encodeURIComponent(email)}`)).json()) as { status: string }[];
        status = list[0]?.status ?? '';
        if (status !== 'sent') await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 'sent');
      assert.ok(`${p.stdout()}${p.stderr()}`.includes('dev mailbox:'), 'the log line');
      const html = await (await fetch(mailbox)).text();
      assert.ok(html.includes(email), 'the mailbox page shows the message');
    } finally {
      await p.stop();
    }
  });

  test('porta courier watch in dev mode without SMTP delivers to the dev mailbox: messages end sent, one attempt each', async () => {
    const dir = tempDir();
    const database = { dsn: `sqlite://${join(dir, 'db.sqlite')}?_fk=true`, drop: async () => {} };
    const file = writeConfig(dir, deepMerge(e2eConfig(database.dsn, 1, 1), { courier: { worker: { pull_wait: '100ms' } } }));
    const db = await openDb(database);
    try {
      const ids = await enqueueMails(db, [{ to: 'one@example.org' }, { to: 'two@example.org' }]);
      const p = startPorta(['courier', 'watch', '-c', file], { cwd: dir });
      try {
        for (const id of ids) {
          const m = await waitFor(`message ${id} sent`, async () => {
            const row = await db.courier.getMessage(id);
            return row?.status === 'sent' ? row : undefined;
          });
          assert.equal(m.sendCount, 1);
          const dispatches = await db.courier.listDispatches(id);
          assert.deepEqual(dispatches.map((d) => d.status), ['success']);
        }
      } finally {
        const res = await terminate(p);
        assert.equal(res.code, 0, res.stderr);
      }
    } finally {
      await db.close();
    }
  });
});
