/**
 * The dataset of the side-by-side benchmark against the reference A (../shared/bench): N sessions in Porta's
 * own schema, seeded straight into a fresh SQLite file (Porta's migrations, then prepared INSERTs in one
 * transaction; no HTTP), plus the token files in the formats ../shared/bench/run.sh reads. The session mix
 * is A's (seed-limit.cjs), by insertion index i:
 *   i % 10 == 0 expired, == 1 revoked, == 2 active warm-up pool (.warm.*), otherwise active and measured.
 * Files, one entry a line:
 *   .tokens / .warm.tokens      plain session tokens (X-Session-Token, API logout body)
 *   .cookies / .warm.cookies    Cookie header values with Porta's signed session cookie
 *   .browser / .warm.browser    <Cookie header value><TAB><logout token>
 *   .a.cookies, .a.browser(+warm) the same with the raw token as the cookie value, for the lean PostgreSQL A
 * The PostgreSQL copy (seedPostgres) is made from that SQLite file, so both databases hold the same rows.
 */
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as toYaml } from 'yaml';
import { deepMerge } from '../src/x/merge.js';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPersister } from '../src/persistence/index.js';
import { createLogger } from '../src/x/logger.js';
import { deriveLogoutToken, hashToken, newSessionToken } from '../src/x/tokens.js';
import { encodeSessionCookie } from '../src/session/cookie.js';
import { identityEmbed } from '../src/identity/json.js';
import { sessionEmbed } from '../src/session/json.js';
import { decodeRecovery, decodeVerifiable } from '../src/persistence/codec.js';

export const VS_SECRET = 'porta-bench-secret-0123456789abcdef';
const COOKIE = 'ory_kratos_session';
const PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$8bJbWf6kLQmYB8BqK0x3pb8p0bHlH9S+2jQ6C5Qm1c8';

interface Live {
  token: string;
  id: string;
  expiresAt: number;
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function writeLines(file: string, lines: string[]): void {
  writeFileSync(file, lines.length ? `${lines.join('\n')}\n` : '');
}

/** Writes one pool's files under `prefix` (e.g. base.warm). */
function writePool(prefix: string, pool: Live[]): void {
  const signed = pool.map((s) => `${COOKIE}=${encodeSessionCookie(VS_SECRET, s.token, new Date(s.expiresAt))}`);
  const logout = pool.map((s) => deriveLogoutToken(VS_SECRET, s.id));
  writeLines(`${prefix}.tokens`, pool.map((s) => s.token));
  writeLines(`${prefix}.cookies`, signed);
  writeLines(`${prefix}.browser`, signed.map((c, k) => `${c}\t${logout[k]}`));
  writeLines(`${prefix}.a.cookies`, pool.map((s) => `${COOKIE}=${s.token}`));
  writeLines(`${prefix}.a.browser`, pool.map((s, k) => `${COOKIE}=${s.token}\t${logout[k]}`));
}

/** Seeds `<base>.pristine.sqlite` with n sessions and writes the token files next to it. */
export async function seedSqlite(base: string, n: number): Promise<{ file: string; seconds: number }> {
  const started = Date.now();
  const file = `${base}.pristine.sqlite`;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  const persister = await openPersister(`sqlite://${file}`, { logger: createLogger({ level: 'silent' }) });
  await persister.migrate();
  await persister.close();

  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  // Random UUID keys and token digests land all over the B-trees: with the default 2 MiB page cache every
  // insert evicts and re-reads pages, and 100k sessions take minutes instead of seconds.
  db.pragma('cache_size = -524288');
  const insIdentity = db.prepare(
    'INSERT INTO identities (id, schema_id, state, state_changed_at, traits, verifiable_addresses, recovery_addresses, created_at, updated_at, embed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insCredential = db.prepare('INSERT INTO identity_credentials (identity_id, type, config, version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)');
  const insIdentifier = db.prepare('INSERT INTO identity_credential_identifiers (type, identifier, identity_id) VALUES (?, ?, ?)');
  // Its addresses as Porta indexes them with every identity write (identity_addresses).
  const insAddress = db.prepare("INSERT INTO identity_addresses (kind, via, value, identity_id) VALUES ('verifiable', 'email', ?, ?), ('recovery', 'email', ?, ?)");
  const insSession = db.prepare(
    'INSERT INTO sessions (id, identity_id, token_hash, active, expires_at, authenticated_at, issued_at, last_active_at, aal, authentication_methods, devices, created_at, updated_at, embed_head, embed_devices) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const now = Date.now();
  const day = 24 * 3600 * 1000;
  const measured: Live[] = [];
  const warm: Live[] = [];
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const identityId = randomUUID();
      const email = `user${i}@bench.example.org`;
      const created = now - (i % 1000) * 60_000;
      const iso = new Date(created).toISOString();
      const addresses = JSON.stringify([{ id: randomUUID(), value: email, verified: false, via: 'email', status: 'sent', verifiedAt: null, createdAt: iso, updatedAt: iso }]);
      const recovery = JSON.stringify([{ id: randomUUID(), value: email, via: 'email', createdAt: iso, updatedAt: iso }]);
      const traits = { email, website: 'https://www.ory.sh/' };
      // The identity's embed as Porta writes it with every identity write (identities.embed).
      const embed = identityEmbed({
        id: identityId, schemaId: 'default', state: 'active', stateChangedAt: new Date(created), traits, metadataPublic: null, metadataAdmin: null,
        externalId: null, organizationId: null, verifiableAddresses: decodeVerifiable(JSON.parse(addresses)), recoveryAddresses: decodeRecovery(JSON.parse(recovery)),
        credentials: {}, createdAt: new Date(created), updatedAt: new Date(created),
      });
      insIdentity.run(identityId, 'default', 'active', created, JSON.stringify(traits), addresses, recovery, created, created, embed);
      insCredential.run(identityId, 'password', JSON.stringify({ hashed_password: PASSWORD_HASH }), created, created);
      insIdentifier.run('password', email, identityId);
      insAddress.run(email, identityId, email, identityId);
      const kind = i % 10;
      const token = newSessionToken();
      const id = randomUUID();
      const expiresAt = kind === 0 ? now - 3600_000 : now + day;
      const methods = JSON.stringify([{ method: 'password', aal: 'aal1', completedAt: iso }]);
      const deviceList = [{ id: randomUUID(), ipAddress: '127.0.0.1', userAgent: 'porta-bench/1.0', location: '' }];
      // The session's own parts of whoami's body, as Porta stores them with every session write.
      const own = sessionEmbed({
        id, identityId, active: kind !== 1, expiresAt: new Date(expiresAt), authenticatedAt: new Date(created), issuedAt: new Date(created), lastActiveAt: new Date(created),
        aal: 'aal1', authenticationMethods: [{ method: 'password', aal: 'aal1', completedAt: new Date(created) }], devices: deviceList, createdAt: new Date(created), updatedAt: new Date(created),
      });
      insSession.run(id, identityId, hashToken(token), kind === 1 ? 0 : 1, expiresAt, created, created, created, 'aal1', methods, JSON.stringify(deviceList), created, created, own.head, own.devices);
      if (kind === 2) warm.push({ token, id, expiresAt });
      else if (kind > 2) measured.push({ token, id, expiresAt });
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  writePool(base, shuffle(measured));
  writePool(`${base}.warm`, shuffle(warm));
  return { file, seconds: (Date.now() - started) / 1000 };
}

/** Admin URL with another database name. */
export function pgUrl(admin: string, database: string): string {
  const u = new URL(admin);
  u.pathname = `/${database}`;
  return u.href;
}

/**
 * Creates database `name` on the cluster of `admin` (dropping it first), migrates it with Porta and copies
 * every row of the SQLite file into it in batches (unnest: one statement per 5,000 rows), then VACUUM ANALYZE
 * so the planner sees the data as a long-running database's autovacuum would have it.
 */
export async function seedPostgres(sqliteFile: string, admin: string, name: string): Promise<number> {
  const started = Date.now();
  await recreateDatabase(admin, name);
  const url = pgUrl(admin, name);
  const persister = await openPersister(url, { logger: createLogger({ level: 'silent' }) });
  await persister.migrate();
  await persister.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const src = new Database(sqliteFile, { readonly: true });
  const ts = (col: string) => `to_timestamp(${col} / 1000.0)`;
  const copies: Array<{ sql: string; insert: string }> = [
    {
      sql: 'SELECT id, schema_id, state, state_changed_at, traits, verifiable_addresses, recovery_addresses, created_at, updated_at, embed FROM identities',
      insert: `INSERT INTO identities (id, schema_id, state, state_changed_at, traits, verifiable_addresses, recovery_addresses, created_at, updated_at, embed) SELECT a, b, c, ${ts('d')}, e, f, g, ${ts('h')}, ${ts('i')}, j FROM unnest($1::uuid[], $2::text[], $3::text[], $4::float8[], $5::json[], $6::json[], $7::json[], $8::float8[], $9::float8[], $10::text[]) AS t(a, b, c, d, e, f, g, h, i, j)`,
    },
    {
      sql: 'SELECT identity_id, type, config, version, created_at, updated_at FROM identity_credentials',
      insert: `INSERT INTO identity_credentials (identity_id, type, config, version, created_at, updated_at) SELECT a, b, c, d, ${ts('e')}, ${ts('f')} FROM unnest($1::uuid[], $2::text[], $3::json[], $4::int[], $5::float8[], $6::float8[]) AS t(a, b, c, d, e, f)`,
    },
    {
      sql: 'SELECT type, identifier, identity_id FROM identity_credential_identifiers',
      insert: 'INSERT INTO identity_credential_identifiers (type, identifier, identity_id) SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[])',
    },
    {
      sql: 'SELECT kind, via, value, identity_id FROM identity_addresses',
      insert: 'INSERT INTO identity_addresses (kind, via, value, identity_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[])',
    },
    {
      // last_active_at as the session-activity migration fills it for rows that predate it.
      sql: 'SELECT id, identity_id, token_hash, active, expires_at, authenticated_at, issued_at, aal, authentication_methods, devices, created_at, updated_at, MAX(last_active_at, authenticated_at, issued_at), embed_head, embed_devices FROM sessions',
      insert: `INSERT INTO sessions (id, identity_id, token_hash, active, expires_at, authenticated_at, issued_at, aal, authentication_methods, devices, created_at, updated_at, last_active_at, embed_head, embed_devices) SELECT a, b, c, d <> 0, ${ts('e')}, ${ts('f')}, ${ts('g')}, h, i, j, ${ts('k')}, ${ts('l')}, ${ts('m')}, n, o FROM unnest($1::uuid[], $2::uuid[], $3::bytea[], $4::int[], $5::float8[], $6::float8[], $7::float8[], $8::text[], $9::json[], $10::json[], $11::float8[], $12::float8[], $13::float8[], $14::text[], $15::text[]) AS t(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o)`,
    },
  ];
  for (const c of copies) {
    const stmt = src.prepare(c.sql).raw();
    let batch: unknown[][] = [];
    const flush = async () => {
      if (!batch.length) return;
      const columns = batch[0].map((_, k) => batch.map((r) => r[k]));
      await client.query(c.insert, columns);
      batch = [];
    };
    for (const row of stmt.iterate() as Iterable<unknown[]>) {
      batch.push(row);
      if (batch.length === 5000) await flush();
    }
    await flush();
  }
  src.close();
  await client.query('VACUUM ANALYZE');
  await client.end();
  return (Date.now() - started) / 1000;
}

async function adminQuery(admin: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * Names are the runner's own constants, never input: quoting is still applied. A copy of a template is
 * made with FILE_COPY (PostgreSQL 15+) and followed by a CHECKPOINT: the default WAL_LOG strategy writes
 * the whole template through the WAL, and the checkpoint that later writes it out then lands in some
 * measured window and not others (two-second logout windows at 100k moved by a third between runs).
 */
export async function recreateDatabase(admin: string, name: string, template?: string): Promise<void> {
  await adminQuery(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  if (!template) return adminQuery(admin, `CREATE DATABASE "${name}"`);
  try {
    await adminQuery(admin, `CREATE DATABASE "${name}" TEMPLATE "${template}" STRATEGY FILE_COPY`);
  } catch (err) {
    // PostgreSQL before 15 has no STRATEGY option (and copies files anyway).
    if ((err as { code?: string }).code !== '42601') throw err;
    await adminQuery(admin, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  }
  await adminQuery(admin, 'CHECKPOINT');
}

export async function dropDatabase(admin: string, name: string): Promise<void> {
  await adminQuery(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Writes the Porta configuration every benchmark serves the dataset with (public API on `port`, admin on
 * port + 1, loopback only, the dataset's secret, warn-level logs, no UI), `extra` merged over it; returns
 * the file.
 */
export function writeBenchConfig(file: string, dsn: string, port: number, extra: Record<string, unknown> = {}): string {
  const base = {
    dsn,
    serve: {
      public: { base_url: `http://127.0.0.1:${port}/`, host: '127.0.0.1', port },
      admin: { base_url: `http://127.0.0.1:${port + 1}/`, host: '127.0.0.1', port: port + 1 },
    },
    selfservice: { default_browser_return_url: 'http://127.0.0.1:4455/' },
    identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: `file://${join(ROOT, 'test', 'fixtures', 'identity.email.schema.json')}` }] },
    secrets: { default: [VS_SECRET] },
    log: { level: 'warn' },
    porta: { ui: { enabled: false } },
  };
  writeFileSync(file, toYaml(deepMerge(base, extra)));
  return file;
}
