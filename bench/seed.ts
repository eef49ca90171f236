/**
 * Seeds a SQLite file with N sessions (one identity each) in Porta's own schema, for the benchmarks.
 *
 *   node --import tsx bench/seed.ts --out bench/.data/s100k.sqlite --sessions 100000 [--extra 300000]
 *
 * The schema comes from Porta itself (openPersister + migrate); rows are then bulk-inserted in one
 * transaction with prepared statements. 10% of the N sessions are revoked and 10% expired, so the
 * predicates see realistic data. `--extra` adds that many more active sessions whose tokens go to a
 * separate file: the API-logout scenario revokes one per request and must never run out.
 * Writes <out>.tokens (active sessions, shuffled), <out>.cookies (the matching session cookie values) and
 * <out>.logout-tokens (the extra sessions, in order). Never runs ANALYZE (style-and-perf.md §2.6).
 */
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openPersister } from '../src/persistence/index.js';
import { createLogger } from '../src/x/logger.js';
import { hashToken, newSessionToken } from '../src/x/tokens.js';
import { encodeSessionCookie } from '../src/session/cookie.js';

export const BENCH_SECRET = 'porta-bench-secret-0123456789abcdef';

const PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$8bJbWf6kLQmYB8BqK0x3pb8p0bHlH9S+2jQ6C5Qm1c8';

export interface SeedResult {
  file: string;
  tokensFile: string;
  cookiesFile: string;
  logoutTokensFile: string;
  active: number;
  total: number;
  seconds: number;
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export async function seed(file: string, sessions: number, extra = 0): Promise<SeedResult> {
  const started = Date.now();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  const persister = await openPersister(`sqlite://${file}`, { logger: createLogger({ level: 'silent' }) });
  await persister.migrate();
  await persister.close();

  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insIdentity = db.prepare(
    'INSERT INTO identities (id, schema_id, state, state_changed_at, traits, metadata_public, metadata_admin, external_id, organization_id, verifiable_addresses, recovery_addresses, created_at, updated_at) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, ?, ?, ?, ?)',
  );
  const insCredential = db.prepare('INSERT INTO identity_credentials (identity_id, type, config, version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)');
  const insIdentifier = db.prepare('INSERT INTO identity_credential_identifiers (type, identifier, identity_id) VALUES (?, ?, ?)');
  // Its addresses as Porta indexes them with every identity write (identity_addresses).
  const insAddress = db.prepare("INSERT INTO identity_addresses (kind, via, value, identity_id) VALUES ('verifiable', 'email', ?, ?), ('recovery', 'email', ?, ?)");
  const insSession = db.prepare(
    'INSERT INTO sessions (id, identity_id, token_hash, active, expires_at, authenticated_at, issued_at, aal, authentication_methods, devices, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );

  const now = Date.now();
  const day = 24 * 3600 * 1000;
  const active: Array<{ token: string; expiresAt: number }> = [];
  const logoutTokens: string[] = [];
  const total = sessions + extra;
  db.transaction(() => {
    for (let i = 0; i < total; i++) {
      const identityId = randomUUID();
      const email = `user${i}@bench.example.org`;
      const created = now - (i % 1000) * 60_000;
      const iso = new Date(created).toISOString();
      const addresses = JSON.stringify([
        { id: randomUUID(), value: email, verified: false, via: 'email', status: 'sent', verifiedAt: null, createdAt: iso, updatedAt: iso },
      ]);
      const recovery = JSON.stringify([{ id: randomUUID(), value: email, via: 'email', createdAt: iso, updatedAt: iso }]);
      insIdentity.run(identityId, 'default', 'active', created, JSON.stringify({ email, website: 'https://www.ory.sh/' }), addresses, recovery, created, created);
      insCredential.run(identityId, 'password', JSON.stringify({ hashed_password: PASSWORD_HASH }), created, created);
      insIdentifier.run('password', email, identityId);
      insAddress.run(email, identityId, email, identityId);

      // Of the first N: 10% revoked, 10% expired, the rest active. The extra ones are all active.
      const kind = i >= sessions ? 'logout' : i % 10 === 0 ? 'revoked' : i % 10 === 1 ? 'expired' : 'active';
      const token = newSessionToken();
      const expiresAt = kind === 'expired' ? now - day : now + day;
      const methods = JSON.stringify([{ method: 'password', aal: 'aal1', completedAt: iso }]);
      const devices = JSON.stringify([{ id: randomUUID(), ipAddress: '127.0.0.1', userAgent: 'porta-bench/1.0', location: '' }]);
      insSession.run(randomUUID(), identityId, hashToken(token), kind === 'revoked' ? 0 : 1, expiresAt, created, created, 'aal1', methods, devices, created, created);
      if (kind === 'active') active.push({ token, expiresAt });
      else if (kind === 'logout') logoutTokens.push(token);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();

  shuffle(active);
  const tokensFile = `${file}.tokens`;
  const cookiesFile = `${file}.cookies`;
  const logoutTokensFile = `${file}.logout-tokens`;
  writeFileSync(tokensFile, `${active.map((a) => a.token).join('\n')}\n`);
  writeFileSync(cookiesFile, `${active.map((a) => encodeSessionCookie(BENCH_SECRET, a.token, new Date(a.expiresAt))).join('\n')}\n`);
  writeFileSync(logoutTokensFile, logoutTokens.length ? `${logoutTokens.join('\n')}\n` : '');
  return { file, tokensFile, cookiesFile, logoutTokensFile, active: active.length, total, seconds: (Date.now() - started) / 1000 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, sessions: { type: 'string', default: '100000' }, extra: { type: 'string', default: '0' } } });
  if (!values.out) throw new Error('--out FILE is required');
  const res = await seed(values.out, Number(values.sessions), Number(values.extra));
  process.stdout.write(`${JSON.stringify(res)}\n`);
}
