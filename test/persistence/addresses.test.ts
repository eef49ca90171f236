import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { forEachBackend } from '../helpers/harness.js';
import type { Persister } from '../../src/persistence/types.js';
import type { Identity, RecoveryAddress, VerifiableAddress } from '../../src/identity/types.js';
import type { SqlitePersister } from '../../src/persistence/sqlite/persister.js';
import type { PostgresPersister } from '../../src/persistence/postgres/persister.js';
import { SELECT_BY_ADDRESS as SQLITE_BY_ADDRESS } from '../../src/persistence/sqlite/identities.js';
import { SELECT_BY_ADDRESS as PG_BY_ADDRESS } from '../../src/persistence/postgres/identities.js';
import { at, makeIdentity, openBackend, type Opened } from './fixtures.js';

// Verifiable and recovery addresses live in identity_addresses (besides the identity's JSON), so the
// public verification and recovery sends find an identity by index. These tests keep that table in step
// with every identity write, check the migration's backfill of identities written before it, and check
// that the lookup's plan searches indexes instead of scanning identities.

const MIGRATION = '20261206000030_identity_addresses';

/** Raw SQL on the backend's own database ($n placeholders; rewritten to ? for SQLite). */
async function sql(p: Persister, text: string, args: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  if (p.dialect === 'sqlite') {
    const db = (p as SqlitePersister).db;
    const stmt = db.prepare(text.replace(/\$\d+/g, '?'));
    return stmt.reader ? (stmt.all(...args) as Array<Record<string, unknown>>) : (stmt.run(...args), []);
  }
  return (await (p as PostgresPersister).pool.query(text, args)).rows as Array<Record<string, unknown>>;
}

const verifiable = (value: string, via: VerifiableAddress['via'] = 'email'): VerifiableAddress => ({
  id: randomUUID(), value, via, verified: false, status: 'pending', verifiedAt: null, createdAt: at(), updatedAt: at(),
});
const recovery = (value: string, via: RecoveryAddress['via'] = 'email'): RecoveryAddress => ({ id: randomUUID(), value, via, createdAt: at(), updatedAt: at() });
const unique = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}@example.org`;

forEachBackend('persistence: identity addresses', (backend) => {
  let o: Opened;
  let p: Persister;
  before(async () => {
    o = await openBackend(backend);
    p = o.persister;
  });
  after(() => o.close());

  const byVerifiable = async (value: string, via = 'email') => (await p.identities.findIdentityByVerifiableAddress(via, value))?.id ?? null;
  const byRecovery = async (value: string, via = 'email') => (await p.identities.findIdentityByRecoveryAddress(via, value))?.id ?? null;

  test('found after create, by kind and via; unknown addresses are not', async () => {
    const v = unique('v');
    const r = unique('r');
    const i = makeIdentity({ verifiableAddresses: [verifiable(v)], recoveryAddresses: [recovery(r)] });
    await p.identities.createIdentity(i);
    const found = await p.identities.findIdentityByVerifiableAddress('email', v);
    assert.deepEqual(found, i, 'the whole identity, credentials included');
    assert.equal(await byRecovery(r), i.id);
    assert.equal(await byVerifiable(r), null, 'a recovery address is not a verifiable one');
    assert.equal(await byRecovery(v), null, 'a verifiable address is not a recovery one');
    assert.equal(await byVerifiable(v, 'sms'), null, 'via is part of the key');
    assert.equal(await byVerifiable(v.toUpperCase()), null, 'exact match on the stored value');
    assert.equal(await byVerifiable(unique('nobody')), null);
  });

  test('an update that changes, removes and adds addresses moves the lookups with it', async () => {
    const [a, b, c] = [unique('a'), unique('b'), unique('c')];
    const i = makeIdentity({ verifiableAddresses: [verifiable(a)], recoveryAddresses: [recovery(a)] });
    await p.identities.createIdentity(i);
    assert.equal(await byVerifiable(a), i.id);
    // a is replaced by b and c among the verifiable ones; the recovery address is removed.
    const changed: Identity = { ...i, verifiableAddresses: [verifiable(b), verifiable(c)], recoveryAddresses: [], updatedAt: at(1000) };
    assert.equal(await p.identities.updateIdentity(changed), true);
    assert.equal(await byVerifiable(a), null, 'the old value is no longer found');
    assert.equal(await byRecovery(a), null, 'the removed recovery address is no longer found');
    assert.equal(await byVerifiable(b), i.id);
    assert.equal(await byVerifiable(c), i.id);
    assert.equal(await byRecovery(b), null);
    // A status-only change (verified) keeps the address found.
    const verified: Identity = { ...changed, verifiableAddresses: changed.verifiableAddresses.map((x) => ({ ...x, verified: true, status: 'completed', verifiedAt: at() })) };
    await p.identities.updateIdentity(verified);
    assert.equal(await byVerifiable(b), i.id);
    // Added back as a recovery address.
    await p.identities.updateIdentity({ ...verified, recoveryAddresses: [recovery(c)] });
    assert.equal(await byRecovery(c), i.id);
    assert.deepEqual(
      (await sql(p, 'SELECT kind, value FROM identity_addresses WHERE identity_id = $1 ORDER BY kind, value', [i.id])).map((r) => `${r.kind}:${r.value}`),
      [`recovery:${c}`, `verifiable:${b}`, `verifiable:${c}`],
    );
  });

  test('an update of an unknown identity writes no address rows', async () => {
    const ghost = makeIdentity({}, unique('ghost'));
    assert.equal(await p.identities.updateIdentity(ghost), false);
    assert.equal(await byVerifiable(ghost.traits.email as string), null);
  });

  test('deleting the identity removes its addresses (cascade)', async () => {
    const e = unique('gone');
    const i = makeIdentity({}, e);
    await p.identities.createIdentity(i);
    assert.equal(await byVerifiable(e), i.id);
    assert.equal(await p.identities.deleteIdentity(i.id), true);
    assert.equal(await byVerifiable(e), null);
    assert.equal(await byRecovery(e), null);
    assert.deepEqual(await sql(p, 'SELECT kind FROM identity_addresses WHERE identity_id = $1', [i.id]), []);
  });

  test('a shared address finds the oldest identity, whatever the insertion order; repeats within one identity are one row', async () => {
    const shared = unique('shared');
    const newer = makeIdentity({ verifiableAddresses: [verifiable(shared), verifiable(shared)], recoveryAddresses: [recovery(shared)], createdAt: at(5000) });
    const older = makeIdentity({ verifiableAddresses: [verifiable(shared)], recoveryAddresses: [recovery(shared), recovery(shared)], createdAt: at(-5000) });
    await p.identities.createIdentity(newer);
    await p.identities.createIdentity(older);
    assert.equal(await byVerifiable(shared), older.id);
    assert.equal(await byRecovery(shared), older.id);
    assert.equal((await sql(p, 'SELECT kind FROM identity_addresses WHERE identity_id = $1', [newer.id])).length, 2);
    await p.identities.deleteIdentity(older.id);
    assert.equal(await byVerifiable(shared), newer.id, 'the other holder is found once the oldest is gone');
  });

  test('an address holding NUL is stored in the JSON only (no 500 on PostgreSQL) and never matches', async () => {
    const nul = 'n\u0000ul@example.org';
    const i = makeIdentity({ verifiableAddresses: [verifiable(nul)], recoveryAddresses: [recovery(nul)] });
    await p.identities.createIdentity(i);
    assert.deepEqual((await p.identities.getIdentity(i.id))!.verifiableAddresses, i.verifiableAddresses);
    assert.equal(await byVerifiable(nul), null);
    assert.equal(await byRecovery(nul), null);
    assert.deepEqual(await sql(p, 'SELECT kind FROM identity_addresses WHERE identity_id = $1', [i.id]), []);
  });

  test('the migration backfills identities written before it', async () => {
    const fresh = await openBackend(backend);
    const q = fresh.persister;
    try {
      const [a, b, r] = [unique('a'), unique('b'), unique('r')];
      const one = makeIdentity({ verifiableAddresses: [verifiable(a), verifiable(b)], recoveryAddresses: [recovery(r)] });
      const two = makeIdentity({ verifiableAddresses: [verifiable(b, 'sms')], recoveryAddresses: [] });
      await q.identities.createIdentity(one);
      await q.identities.createIdentity(two);
      // Back to the schema before the migration: the table gone, the step unrecorded.
      await sql(q, 'DROP TABLE identity_addresses');
      await sql(q, 'DELETE FROM porta_migrations WHERE version = $1', [MIGRATION]);
      // JSON the backfill must step over: a repeat, a non-string value, one escaping NUL, one lacking via;
      // and one it must keep: a literal backslash before "u0000", which is no NUL.
      const slash = `${unique('s')}\\u0000`;
      const odd = [
        ...one.verifiableAddresses,
        { value: a, via: 'email' },
        { value: 7, via: 'email' },
        { value: 'x\u0000y', via: 'email' },
        { value: 'novia@example.org' },
        { value: slash, via: 'email' },
      ];
      await sql(q, `UPDATE identities SET verifiable_addresses = $1 WHERE id = $2`, [JSON.stringify(odd), one.id]);
      assert.deepEqual((await q.migrationStatus()).pending, [MIGRATION]);
      assert.deepEqual(await q.migrate(), [MIGRATION]);
      assert.equal((await q.identities.findIdentityByVerifiableAddress('email', a))?.id, one.id);
      assert.equal((await q.identities.findIdentityByVerifiableAddress('email', b))?.id, one.id);
      assert.equal((await q.identities.findIdentityByVerifiableAddress('sms', b))?.id, two.id);
      assert.equal((await q.identities.findIdentityByRecoveryAddress('email', r))?.id, one.id);
      assert.equal(await q.identities.findIdentityByVerifiableAddress('email', '7'), null);
      assert.equal((await q.identities.findIdentityByVerifiableAddress('email', slash))?.id, one.id);
      assert.deepEqual(
        (await sql(q, 'SELECT kind, via, value FROM identity_addresses WHERE identity_id = $1 ORDER BY kind, value', [one.id])).map((x) => `${x.kind}:${x.via}:${x.value}`),
        [`recovery:email:${r}`, `verifiable:email:${a}`, `verifiable:email:${b}`, `verifiable:email:${slash}`],
      );
    } finally {
      await fresh.close();
    }
  });

  test('the lookup searches the address index and identities by id, never scanning identities', async () => {
    const fresh = await openBackend(backend);
    const q = fresh.persister;
    try {
      // Enough rows that PostgreSQL's planner, with statistics, would rather scan if it could not search.
      const n = 20_000;
      if (q.dialect === 'sqlite') {
        await sql(q, `WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < ${n})
          INSERT INTO identities (id, schema_id, state, traits, verifiable_addresses, recovery_addresses, created_at, updated_at)
          SELECT printf('00000000-0000-4000-8000-%012d', k), 'default', 'active', '{}', json_array(json_object('via', 'email', 'value', 'u' || k || '@example.org')), '[]', k, k FROM s`);
        await sql(q, `INSERT INTO identity_addresses (kind, via, value, identity_id)
          SELECT 'verifiable', 'email', json_extract(verifiable_addresses, '$[0].value'), id FROM identities`);
        // No ANALYZE: Porta never runs it on SQLite (README, Performance), so this is the plan it gets.
        const plan = (await sql(q, `EXPLAIN QUERY PLAN ${SQLITE_BY_ADDRESS}`, ['verifiable', 'email', 'u5@example.org'])).map((r) => String(r.detail));
        assert.ok(plan.some((d) => /^SEARCH a USING (COVERING )?INDEX sqlite_autoindex_identity_addresses_1 \(kind=\? AND via=\? AND value=\?\)/.test(d)), plan.join(' | '));
        assert.ok(plan.some((d) => /^SEARCH i USING INDEX sqlite_autoindex_identities_1 \(id=\?\)/.test(d)), plan.join(' | '));
        assert.ok(!plan.some((d) => d.startsWith('SCAN')), plan.join(' | '));
      } else {
        await sql(q, `INSERT INTO identities (id, schema_id, state, traits, verifiable_addresses, recovery_addresses, created_at, updated_at)
          SELECT gen_random_uuid(), 'default', 'active', '{}', json_build_array(json_build_object('via', 'email', 'value', 'u' || k || '@example.org')), '[]', now(), now()
          FROM generate_series(1, ${n}) k`);
        await sql(q, `INSERT INTO identity_addresses (kind, via, value, identity_id)
          SELECT 'verifiable', 'email', verifiable_addresses->0->>'value', id FROM identities`);
        await sql(q, 'ANALYZE');
        const plan = (await sql(q, `EXPLAIN ${PG_BY_ADDRESS}`, ['verifiable', 'email', 'u5@example.org'])).map((r) => String(r['QUERY PLAN'])).join('\n');
        assert.match(plan, /Index (Only )?Scan using identity_addresses_pkey on identity_addresses a/, plan);
        assert.match(plan, /Index Scan using identities_pkey on identities i/, plan);
        assert.doesNotMatch(plan, /Seq Scan/, plan);
      }
      const holder = await sql(q, "SELECT identity_id FROM identity_addresses WHERE value = 'u5@example.org'");
      assert.equal((await q.identities.findIdentityByVerifiableAddress('email', 'u5@example.org'))?.id, holder[0].identity_id);
    } finally {
      await fresh.close();
    }
  });
});
