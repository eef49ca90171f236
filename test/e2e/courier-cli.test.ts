import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { deepMerge, e2eConfig, runPorta, startPorta, tempDir, terminate, writeConfig } from '../helpers/spawn.js';
import { enqueueMails } from '../helpers/courier.js';
import { openDb, waitFor } from '../helpers/courier-spawn.js';

/** Start-up checks of the courier's configuration, through the CLI. */

describe('courier: start-up refusals', () => {
  test('porta serve refuses a template override with an unsupported construct, naming the file and the construct', async () => {
    const dir = tempDir();
    const tpl = join(dir, 'tpl', 'verification_code', 'valid');
    mkdirSync(tpl, { recursive: true });
    writeFileSync(join(tpl, 'email.subject.gotmpl'), '{{ .VerificationCode | printf "%s" }}');
    const file = writeConfig(dir, deepMerge(e2eConfig(`sqlite://${join(dir, 'db.sqlite')}`, 1, 1), { courier: { template_override_path: join(dir, 'tpl') } }));
    const res = await runPorta(['serve', '-c', file], { cwd: dir, timeoutMs: 60_000 });
    assert.equal(res.code, 1);
    assert.ok(res.stderr.includes(join(tpl, 'email.subject.gotmpl')), res.stderr);
    assert.ok(res.stderr.includes('"|"'), res.stderr);
  });

  test('porta serve refuses an http(s) template URL naming the key; courier watch refuses to run without connection_uri', async () => {
    const dir = tempDir();
    const base = e2eConfig(`sqlite://${join(dir, 'db.sqlite')}`, 1, 1);
    const http = writeConfig(dir, deepMerge(base, { courier: { templates: { recovery_code: { valid: { email: { subject: 'https://example.com/s.gotmpl' } } } } } }), 'http.yaml');
    const r1 = await runPorta(['serve', '-c', http], { cwd: dir, timeoutMs: 60_000 });
    assert.equal(r1.code, 1);
    assert.ok(r1.stderr.includes('courier.templates.recovery_code.valid.email.subject'), r1.stderr);
    // Outside dev mode (in dev mode the worker delivers to the dev mailbox instead, test/e2e/mail-startup.test.ts).
    const none = writeConfig(dir, deepMerge(base, { dev: false }), 'none.yaml');
    const r2 = await runPorta(['courier', 'watch', '-c', none], { cwd: dir, timeoutMs: 60_000 });
    assert.equal(r2.code, 1);
    assert.ok(r2.stderr.includes('courier.smtp.connection_uri'), r2.stderr);
  });

  test('the SMTP password never reaches the logs or error output', async () => {
    const dir = tempDir();
    const file = writeConfig(
      dir,
      deepMerge(e2eConfig(`sqlite://${join(dir, 'db.sqlite')}`, 1, 1), { log: { level: 'debug' }, courier: { smtp: { connection_uri: 'smtp://user:s3cret-pa55@127.0.0.1:1/' } } }),
    );
    const p = startPorta(['courier', 'watch', '-c', file], { cwd: dir });
    const db = await openDb({ dsn: `sqlite://${join(dir, 'db.sqlite')}`, drop: async () => {} });
    await enqueueMails(db, [{ to: 'secret@example.com' }]);
    await db.close();
    // The failed attempt (nothing listens on port 1) is logged: that is where a careless logger would leak the URI.
    await waitFor('a failed attempt', async () => (p.stderr().includes('courier could not send') ? true : undefined));
    const res = await terminate(p);
    assert.equal(res.code, 0, res.stderr);
    assert.ok(!`${res.stdout}${res.stderr}`.includes('s3cret-pa55'));
  });
});
