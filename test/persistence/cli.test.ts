import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { forEachBackend, type Backend } from '../helpers/harness.js';
import { createPgDatabase } from '../helpers/pg.js';
import { openPersister } from '../../src/persistence/index.js';
import { runMigrateSql } from '../../src/cmd/migrate.js';
import { SQLITE_MIGRATIONS } from '../../src/persistence/sqlite/migrations.js';
import { POSTGRES_MIGRATIONS } from '../../src/persistence/postgres/migrations.js';

// Every migration, first to last: a fresh database has all of them pending (the list grows with features).
const ALL = (backend: Backend) => (backend === 'sqlite' ? SQLITE_MIGRATIONS : POSTGRES_MIGRATIONS).map((m) => m.version);
import { at, makeIdentity, makeSession, silentLogger, tokenHash } from './fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'src/cmd/index.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// The developer's own DSN variable must not leak into these runs.
const { DSN: _ignored, ...inherited } = process.env;

function porta(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { ...inherited, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

async function freshDsn(backend: Backend): Promise<{ dsn: string; drop: () => Promise<void> }> {
  if (backend === 'postgres') return createPgDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'porta-cli-'));
  return { dsn: `sqlite://${join(dir, 'sub', 'porta.db')}?_fk=true&mode=rwc`, drop: async () => {} };
}

async function pending(dsn: string): Promise<string[]> {
  const p = await openPersister(dsn, { logger: silentLogger });
  try {
    return (await p.migrationStatus()).pending;
  } finally {
    await p.close();
  }
}

forEachBackend('porta migrate sql', (backend) => {
  test('without --yes and without a TTY it refuses, names --yes, and applies nothing', async () => {
    const { dsn, drop } = await freshDsn(backend);
    try {
      const r = await porta(['migrate', 'sql', dsn]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /--yes/);
      assert.match(r.stdout, /pending {2}20261124000001_initial/);
      assert.deepEqual(await pending(dsn), ALL(backend));
    } finally {
      await drop();
    }
  });

  test('--yes applies and prints the migrations; a second run has nothing to do', async () => {
    const { dsn, drop } = await freshDsn(backend);
    try {
      const r = await porta(['migrate', 'sql', dsn, '--yes']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Applied migration 20261124000001_initial/);
      assert.deepEqual(await pending(dsn), []);
      const again = await porta(['migrate', 'sql', dsn, '--yes']);
      assert.equal(again.code, 0);
      assert.match(again.stdout, /applied {2}20261124000001_initial/);
      assert.match(again.stdout, /no migrations to apply/);
    } finally {
      await drop();
    }
  });

  test('-e reads the DSN from the environment; -c reads it from a config file', async () => {
    const a = await freshDsn(backend);
    const b = await freshDsn(backend);
    try {
      const r = await porta(['migrate', 'sql', '-e', '--yes'], { DSN: a.dsn });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await pending(a.dsn), []);
      const dir = mkdtempSync(join(tmpdir(), 'porta-cfg-'));
      const file = join(dir, 'kratos.yml');
      writeFileSync(file, `dsn: ${b.dsn}\nlog:\n  level: error\n`);
      const c = await porta(['migrate', 'sql', '-c', file, '--yes']);
      assert.equal(c.code, 0, c.stderr);
      assert.deepEqual(await pending(b.dsn), []);
    } finally {
      await a.drop();
      await b.drop();
    }
  });
});

describe('porta migrate sql: input and secrets', () => {
  test('no DSN at all is a one-line error', async () => {
    const r = await porta(['migrate', 'sql', '--yes']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^porta: no database given.*-e.*-c FILE\n$/);
  });

  test('-e without the DSN variable says so', async () => {
    const r = await porta(['migrate', 'sql', '-e', '--yes']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /DSN environment variable is not set/);
  });

  test('an unreachable PostgreSQL is a one-line error that never shows the password', async () => {
    const r = await porta(['migrate', 'sql', 'postgres://porta:hunter2-secret@127.0.0.1:1/porta', '--yes']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^porta: unable to reach the database postgres:\/\/porta:\[redacted\]@127\.0\.0\.1:1\/porta: /);
    assert.doesNotMatch(r.stdout + r.stderr, /hunter2/);
  });

  test('on a TTY it asks, and applies only on yes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'porta-tty-'));
    const dsn = `sqlite://${join(dir, 'tty.db')}`;
    const ask = async (answer: string) => {
      const stdin = Object.assign(new PassThrough(), { isTTY: true });
      const stdout = new PassThrough();
      let text = '';
      stdout.on('data', (d) => (text += d));
      const done = runMigrateSql({ dsn }, { stdin, stdout, stderr: new PassThrough() });
      stdin.write(`${answer}\n`);
      return { code: await done, text };
    };
    const no = await ask('n');
    assert.equal(no.code, 1);
    assert.match(no.text, new RegExp(`Apply ${ALL('sqlite').length} migration\\(s\\)\\? \\[y/N\\]`));
    assert.deepEqual(await pending(dsn), ALL('sqlite'));
    const yes = await ask('y');
    assert.equal(yes.code, 0);
    assert.deepEqual(await pending(dsn), []);
  });
});

forEachBackend('porta cleanup sql', (backend) => {
  test('deletes expired sessions, flows and old error containers in batches, keeps the rest, prints counts', async () => {
    const { dsn, drop } = await freshDsn(backend);
    try {
      const p = await openPersister(dsn, { logger: silentLogger });
      await p.migrate();
      const who = makeIdentity();
      await p.identities.createIdentity(who);
      for (let k = 0; k < 230; k++) await p.sessions.createSession(makeSession(who.id, { expiresAt: at(-7200_000 - k) }), tokenHash());
      // expired, but within --keep-last: kept
      const recent = makeSession(who.id, { expiresAt: at(-60_000) });
      const live = makeSession(who.id);
      await p.sessions.createSession(recent, tokenHash());
      await p.sessions.createSession(live, tokenHash());
      const flow = (expiresAt: Date) => ({ id: crypto.randomUUID(), kind: 'login' as const, type: 'api' as const, expiresAt, issuedAt: at(), csrfToken: '', data: {}, createdAt: at(), updatedAt: at() });
      for (let k = 0; k < 3; k++) await p.flows.createFlow(flow(at(-7200_000)));
      const liveFlow = flow(at(600_000));
      await p.flows.createFlow(liveFlow);
      const err = (createdAt: Date) => ({ id: crypto.randomUUID(), error: { code: 500 }, csrfToken: '', seenAt: null, createdAt, updatedAt: createdAt });
      await p.errors.createError(err(at(-86_400_000)));
      const freshErr = err(at());
      await p.errors.createError(freshErr);
      await p.close();

      const r = await porta(['cleanup', 'sql', dsn, '--keep-last', '1h', '--batch-size', '100']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Deleted 230 expired session\(s\)/);
      assert.match(r.stdout, /Deleted 3 expired self-service flow\(s\)/);
      assert.match(r.stdout, /Deleted 1 self-service error container\(s\)/);

      const q = await openPersister(dsn, { logger: silentLogger });
      try {
        const left = (await q.sessions.listSessions({ limit: 500 })).sessions.map((s) => s.id).sort();
        assert.deepEqual(left, [recent.id, live.id].sort());
        assert.ok(await q.flows.getFlow('login', liveFlow.id));
        assert.ok(await q.errors.getError(freshErr.id));
      } finally {
        await q.close();
      }
    } finally {
      await drop();
    }
  });

  test('a bad --keep-last or an unmigrated database is a one-line error', async () => {
    const { dsn, drop } = await freshDsn(backend);
    try {
      const bad = await porta(['cleanup', 'sql', dsn, '--keep-last', 'tomorrow']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^porta: --keep-last must be a duration/);
      const behind = await porta(['cleanup', 'sql', dsn]);
      assert.equal(behind.code, 1);
      assert.match(behind.stderr, /porta migrate sql/);
    } finally {
      await drop();
    }
  });
});
