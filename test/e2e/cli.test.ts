import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  deepMerge,
  e2eConfig,
  freePort,
  prepareDatabase,
  PG_SKIP,
  PORTA_BIN,
  ROOT,
  runPorta,
  spawnPorta,
  startPorta,
  tempDir,
  terminate,
  waitReady,
  writeConfig,
} from '../helpers/spawn.js';
import { call, createIdentity } from './client.js';
import { listeningAddresses } from '../helpers/listen.js';

const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

async function configFile(over: Record<string, any>, dsn?: string): Promise<string> {
  const dir = tempDir();
  const values = deepMerge(e2eConfig(dsn ?? `sqlite://${join(dir, 'p.sqlite')}`, await freePort(), await freePort()), over);
  return writeConfig(dir, values);
}

describe('porta CLI (spawned)', () => {
  test('porta version prints the package version', async () => {
    const res = await runPorta(['version']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), VERSION);
  });

  test('the launcher runs as an executable, with the Node flags of its first line', () => {
    // What `porta` (npm's bin link) and `npm start` run: an invalid flag would make node refuse to start.
    const res = spawnSync(PORTA_BIN, ['version'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stdout.trim(), VERSION);
    const flags = readFileSync(PORTA_BIN, 'utf8').split('\n', 1)[0].replace('#!/usr/bin/env -S node', '').trim();
    assert.equal(flags, '--max-semi-space-size=8');
    const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start as string;
    assert.equal(start, `node ${flags} bin/porta.js start`, 'npm start runs the launcher with the same flags');
  });

  // One bad value per implemented key kind: integer, enum, duration pattern, URL.
  const bad: Array<[string, Record<string, any>]> = [
    ['serve.public.port', { serve: { public: { port: 'not-a-port' } } }],
    ['session.cookie.same_site', { session: { cookie: { same_site: 'Sideways' } } }],
    ['session.lifespan', { session: { lifespan: 'forever' } }],
    ['selfservice.flows.error.ui_url', { selfservice: { flows: { error: { ui_url: 'not a url' } } } }],
  ];
  for (const [key, over] of bad) {
    test(`serve with a bad ${key} exits non-zero and names the key`, async () => {
      const res = await runPorta(['serve', '-c', await configFile(over)], { timeoutMs: 15_000 });
      assert.notEqual(res.code, 0, `expected a failure, got ${res.code}\n${res.stdout}`);
      assert.equal(res.signal, null, 'it exits by itself, it is not killed by the timeout');
      assert.ok(res.stderr.includes(key), `stderr names ${key}:\n${res.stderr}`);
      assert.doesNotMatch(res.stdout, /is serving/);
    });
  }

  test('unknown Kratos keys produce one warning each and the server still serves', async () => {
    const p = await spawnPorta({
      config: {
        // The courier is implemented; its SMS channels are not (and the SMTP URI must still not leak).
        courier: { smtp: { connection_uri: 'smtps://test:test@mailslurper:1025/?skip_ssl_verify=true' }, channels: [{ id: 'sms', type: 'http' }] },
        selfservice: { methods: { totp: { enabled: true } } },
      },
    });
    try {
      const ready = await call(`${p.publicURL}/health/ready`);
      assert.equal(ready.status, 200);
    } finally {
      await p.stop();
    }
    const lines = `${p.stdout()}\n${p.stderr()}`.split('\n');
    for (const key of ['courier.channels', 'selfservice.methods.totp']) {
      const hits = lines.filter((l) => l.includes(`"${key}`) || l.includes(`\\"${key}`));
      assert.equal(hits.length, 1, `exactly one warning names ${key}:\n${lines.join('\n')}`);
      assert.match(hits[0], /warn|"level":40/i);
    }
    // The warning about courier must not leak the SMTP password in the URI.
    assert.doesNotMatch(lines.join('\n'), /test:test@/);
  });

  test('a SQLite file DSN is migrated by serve itself, and data survives a restart', async () => {
    const dir = tempDir();
    const db = await prepareDatabase('sqlite', dir);
    const file = db.dsn.replace(/^sqlite:\/\//, '').replace(/\?.*$/, '');
    assert.equal(existsSync(file), false);
    const first = await spawnPorta({ database: db });
    let id: string;
    try {
      id = (await createIdentity(first.adminURL)).id;
    } finally {
      await first.stop();
    }
    assert.ok(existsSync(file), 'serve created the SQLite file');
    const second = await spawnPorta({ database: db });
    try {
      const got = await call(`${second.adminURL}/admin/identities/${id}`);
      assert.equal(got.status, 200, JSON.stringify(got.body));
      assert.equal(got.body.id, id);
    } finally {
      await second.stop();
    }
  });

  const pgSkip = PG_SKIP;
  test('serve refuses a PostgreSQL schema that is behind and names porta migrate sql', { skip: pgSkip }, async () => {
    const dir = tempDir();
    const db = await prepareDatabase('postgres', dir, { migrate: false });
    try {
      const file = await configFile({}, db.dsn);
      const res = await runPorta(['serve', '-c', file], { timeoutMs: 15_000 });
      assert.notEqual(res.code, 0, `expected a failure:\n${res.stdout}`);
      assert.equal(res.signal, null, 'it exits by itself');
      assert.match(res.stderr, /porta migrate sql/);
      assert.doesNotMatch(res.stderr, /postgres:[^@\s]*porta@/, 'the DSN password is not printed');

      const migrated = await runPorta(['migrate', 'sql', db.dsn, '--yes'], { timeoutMs: 60_000 });
      assert.equal(migrated.code, 0, migrated.stderr);
      const p = await spawnPorta({ database: db });
      await p.stop();
    } finally {
      await db.drop();
    }
  });

  // The only test that binds the fixed ports of `npm start` (127.0.0.1:4433 and :4434).
  test('porta start serves the embedded defaults on 4433/4434 and prints the URLs', async () => {
    const cwd = tempDir();
    const p = startPorta(['start'], { cwd });
    try {
      await waitReady('http://127.0.0.1:4433/health/ready', p.exited, 20_000, () => `${p.stdout()}\n${p.stderr()}`);
      assert.equal((await call('http://127.0.0.1:4434/health/ready')).status, 200);
      assert.equal((await call('http://127.0.0.1:4434/admin/health/ready')).status, 200);
      const out = p.stdout();
      assert.match(out, /http:\/\/127\.0\.0\.1:4433\//, out);
      assert.match(out, /http:\/\/127\.0\.0\.1:4434\//, out);
      assert.match(out, /http:\/\/127\.0\.0\.1:4433\/ui\//, 'the UI URL is printed');
      assert.ok(existsSync(join(cwd, '.porta')), 'data lives under ./.porta/');
      assert.deepEqual(listeningAddresses(4434), ['127.0.0.1'], 'the admin API listens on loopback only');
      assert.doesNotMatch(p.stderr(), /serve\.admin\.host/, 'no exposure warning for the embedded defaults');
    } finally {
      const res = await terminate(p);
      assert.equal(res.code, 0, `clean exit on SIGTERM:\n${res.stderr}`);
    }
  });
});
