import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { forEachBackend } from '../helpers/harness.js';
import type { Persister } from '../../src/persistence/types.js';
import type { Identity } from '../../src/identity/types.js';
import { PortaError } from '../../src/http/errors.js';
import type { EndedSessionRow } from '../../src/session/store.js';
import { at, makeIdentity, makeSession, openBackend, tokenHash, type Opened } from './fixtures.js';

forEachBackend('persistence: sessions', (backend) => {
  let o: Opened;
  let p: Persister;
  let alice: Identity;
  before(async () => {
    o = await openBackend(backend);
    p = o.persister;
    alice = makeIdentity({ metadataPublic: { a: 1 } });
    await p.identities.createIdentity(alice);
  });
  after(() => o.close());

  test('getSessionByTokenHash returns the session and its identity without credentials', async () => {
    const s = makeSession(alice.id);
    const h = tokenHash();
    await p.sessions.createSession(s, h);
    const got = await p.sessions.getSessionByTokenHash(h);
    assert.deepEqual(got, { session: s, identity: { ...alice, credentials: {} } });
    assert.equal(await p.sessions.getSessionByTokenHash(tokenHash()), null);
  });

  test('getSession by id, with and without the identity', async () => {
    const s = makeSession(alice.id);
    await p.sessions.createSession(s, tokenHash());
    assert.deepEqual(await p.sessions.getSession(s.id), s);
    assert.deepEqual(await p.sessions.getSession(s.id, { expandIdentity: true }), { ...s, identity: { ...alice, credentials: {} } });
    assert.equal(await p.sessions.getSession(randomUUID()), null);
    assert.equal(await p.sessions.getSession('garbage'), null);
  });

  test('revokeSessionByTokenHash: returns the id whether active or not, null for unknown tokens', async () => {
    const s = makeSession(alice.id);
    const h = tokenHash();
    await p.sessions.createSession(s, h);
    assert.equal(await p.sessions.revokeSessionByTokenHash(h), s.id);
    assert.equal((await p.sessions.getSession(s.id))!.active, false);
    assert.equal(await p.sessions.revokeSessionByTokenHash(h), s.id);
    assert.equal((await p.sessions.getSessionByTokenHash(h))!.session.active, false);
    assert.equal(await p.sessions.revokeSessionByTokenHash(tokenHash()), null);
  });

  test('revokeSessionByTokenHash reports the ended session only when this call ended it', async () => {
    const s = makeSession(alice.id);
    const h = tokenHash();
    await p.sessions.createSession(s, h);
    const calls: EndedSessionRow[][] = [];
    const sink = (rows: EndedSessionRow[]) => void calls.push(rows);
    assert.equal(await p.sessions.revokeSessionByTokenHash(h, sink), s.id);
    assert.equal(await p.sessions.revokeSessionByTokenHash(h, sink), s.id);
    assert.equal(await p.sessions.revokeSessionByTokenHash(tokenHash(), sink), null);
    assert.deepEqual(calls, [
      [{ id: s.id, identityId: alice.id, expiresAt: s.expiresAt, authenticatedAt: s.authenticatedAt, lastActiveAt: s.lastActiveAt }],
      [],
      [],
    ]);
  });

  test('revokeSessionById tells revoked, inactive and missing apart', async () => {
    const s = makeSession(alice.id);
    await p.sessions.createSession(s, tokenHash());
    assert.equal(await p.sessions.revokeSessionById(s.id), 'revoked');
    assert.equal(await p.sessions.revokeSessionById(s.id), 'inactive');
    assert.equal(await p.sessions.revokeSessionById(s.id), 'inactive');
    assert.equal((await p.sessions.getSession(s.id))!.active, false);
    assert.equal(await p.sessions.revokeSessionById(randomUUID()), 'missing');
    assert.equal(await p.sessions.revokeSessionById('nope'), 'missing');
  });

  test('50 concurrent revokes of one session never error; exactly one reports "revoked"', async () => {
    const s = makeSession(alice.id);
    const h = tokenHash();
    await p.sessions.createSession(s, h);
    const byToken = await Promise.all(Array.from({ length: 50 }, () => p.sessions.revokeSessionByTokenHash(h)));
    assert.ok(byToken.every((id) => id === s.id));
    const s2 = makeSession(alice.id);
    await p.sessions.createSession(s2, tokenHash());
    const byId = await Promise.all(Array.from({ length: 50 }, () => p.sessions.revokeSessionById(s2.id)));
    assert.equal(byId.filter((r) => r === 'revoked').length, 1);
    assert.equal(byId.filter((r) => r === 'inactive').length, 49);
  });

  test('revokes issued together each get their own answer: active, already ended, unknown, by token and by id', async () => {
    const live = Array.from({ length: 6 }, () => ({ s: makeSession(alice.id), h: tokenHash() }));
    for (const x of live) await p.sessions.createSession(x.s, x.h);
    await p.sessions.revokeSessionByTokenHash(live[1]!.h);
    await p.sessions.revokeSessionById(live[4]!.s.id);
    const ended: EndedSessionRow[][] = [];
    const sink = (rows: EndedSessionRow[]) => void ended.push(rows);
    // Issued in one turn, so on SQLite they share one group commit; each must still answer as if alone.
    const answers = await Promise.all([
      p.sessions.revokeSessionByTokenHash(live[0]!.h, sink),
      p.sessions.revokeSessionByTokenHash(live[1]!.h, sink),
      p.sessions.revokeSessionByTokenHash(tokenHash(), sink),
      p.sessions.revokeSessionById(live[3]!.s.id, sink),
      p.sessions.revokeSessionById(live[4]!.s.id, sink),
      p.sessions.revokeSessionById(randomUUID(), sink),
    ]);
    assert.deepEqual(answers, [live[0]!.s.id, live[1]!.s.id, null, 'revoked', 'inactive', 'missing']);
    assert.deepEqual(ended.flat().map((r) => r.id).sort(), [live[0]!.s.id, live[3]!.s.id].sort());
    for (const [i, x] of live.entries()) assert.equal((await p.sessions.getSession(x.s.id))!.active, i === 2 || i === 5, `session ${i}`);
  });

  test('revokeSessionOfIdentity only touches a session of that identity', async () => {
    const bob = makeIdentity();
    await p.identities.createIdentity(bob);
    const s = makeSession(alice.id);
    await p.sessions.createSession(s, tokenHash());
    await p.sessions.revokeSessionOfIdentity(bob.id, s.id);
    assert.equal((await p.sessions.getSession(s.id))!.active, true);
    await p.sessions.revokeSessionOfIdentity(alice.id, s.id);
    assert.equal((await p.sessions.getSession(s.id))!.active, false);
  });

  test('revokeOtherSessions revokes every other active session and counts them', async () => {
    const carol = makeIdentity();
    await p.identities.createIdentity(carol);
    const keep = makeSession(carol.id);
    const others = [makeSession(carol.id), makeSession(carol.id), makeSession(carol.id, { active: false })];
    for (const s of [keep, ...others]) await p.sessions.createSession(s, tokenHash());
    assert.equal(await p.sessions.revokeOtherSessions(carol.id, keep.id), 2);
    assert.equal((await p.sessions.getSession(keep.id))!.active, true);
    for (const s of others) assert.equal((await p.sessions.getSession(s.id))!.active, false);
    assert.equal(await p.sessions.revokeOtherSessions(carol.id, keep.id), 0);
  });

  test('deleteSessionsOfIdentity hard-deletes and counts', async () => {
    const dave = makeIdentity();
    await p.identities.createIdentity(dave);
    for (let k = 0; k < 3; k++) await p.sessions.createSession(makeSession(dave.id), tokenHash());
    assert.equal(await p.sessions.deleteSessionsOfIdentity(dave.id), 3);
    assert.equal((await p.sessions.listSessions({ identityId: dave.id, limit: 10 })).sessions.length, 0);
    assert.equal(await p.sessions.deleteSessionsOfIdentity(dave.id), 0);
  });

  test('updateSession writes the mutable fields; rotateSessionToken swaps the digest', async () => {
    const s = makeSession(alice.id);
    const h = tokenHash();
    await p.sessions.createSession(s, h);
    const changed = {
      ...s,
      expiresAt: at(7200_000),
      authenticatedAt: at(5000),
      aal: 'aal2' as const,
      authenticationMethods: [...s.authenticationMethods, { method: 'totp', aal: 'aal2' as const, completedAt: at(5000) }],
      devices: [],
      active: false,
    };
    await p.sessions.updateSession(changed);
    const got = (await p.sessions.getSession(s.id))!;
    assert.deepEqual({ ...got, updatedAt: changed.updatedAt }, changed);
    const h2 = tokenHash();
    await p.sessions.rotateSessionToken(s.id, h2);
    assert.equal(await p.sessions.getSessionByTokenHash(h), null);
    assert.equal((await p.sessions.getSessionByTokenHash(h2))!.session.id, s.id);
  });

  test('updateSession never re-activates a revoked session (a revoke between read and write sticks)', async () => {
    for (const revokes of [1, 2]) {
      const s = makeSession(alice.id);
      const h = tokenHash();
      await p.sessions.createSession(s, h);
      const read = (await p.sessions.getSession(s.id))!;
      for (let k = 0; k < revokes; k++) await p.sessions.revokeSessionByTokenHash(h);
      await p.sessions.updateSession({ ...read, expiresAt: at(9000_000) });
      const got = (await p.sessions.getSession(s.id))!;
      assert.equal(got.active, false, `after ${revokes} revoke(s)`);
      assert.deepEqual(got.expiresAt, at(9000_000));
      assert.equal(await p.sessions.revokeSessionById(s.id), 'inactive');
      assert.equal((await p.sessions.listSessions({ identityId: alice.id, active: true, limit: 100 })).sessions.some((x) => x.id === s.id), false);
    }
  });

  test('recordActivity writes only over older activity; updateSession never moves it back; the limits filter lists', async () => {
    // One instant for the whole test: at() reads the clock each call, and a second boundary crossed between
    // two calls would shift the later offsets by a second.
    const t0 = at(0).getTime();
    const rel = (ms: number) => new Date(t0 + ms);
    const s = makeSession(alice.id, { lastActiveAt: rel(-60_000) });
    await p.sessions.createSession(s, tokenHash());
    const first = rel(0);
    await p.sessions.recordActivity(s.id, first, rel(-1000));
    assert.equal((await p.sessions.getSession(s.id))?.lastActiveAt.getTime(), first.getTime());
    // A second reader with the same view of "stale" finds nothing older to replace: no write.
    await p.sessions.recordActivity(s.id, rel(500), rel(-1000));
    assert.equal((await p.sessions.getSession(s.id))?.lastActiveAt.getTime(), first.getTime());
    // An admin extend writing the row it read earlier keeps the newer activity.
    await p.sessions.updateSession({ ...s, expiresAt: rel(7200_000) });
    const stored = await p.sessions.getSession(s.id);
    assert.equal(stored?.lastActiveAt.getTime(), first.getTime());
    assert.equal(stored?.expiresAt.getTime(), rel(7200_000).getTime());
    const listed = async (q: { active: boolean; idleBefore?: Date; authenticatedBefore?: Date }) =>
      (await p.sessions.listSessions({ identityId: alice.id, limit: 100, ...q })).sessions.some((x) => x.id === s.id);
    assert.equal(await listed({ active: true, idleBefore: rel(-1000) }), true);
    assert.equal(await listed({ active: true, idleBefore: rel(1000) }), false);
    assert.equal(await listed({ active: false, idleBefore: rel(1000) }), true);
    assert.equal(await listed({ active: true, authenticatedBefore: rel(1000) }), false);
    assert.equal(await listed({ active: false, authenticatedBefore: rel(-3600_000) }), false);
  });

  test('deleteExpiredSessions deletes only rows expired before the cut-off, at most limit per call', async () => {
    const eve = makeIdentity();
    await p.identities.createIdentity(eve);
    const expired = Array.from({ length: 5 }, (_, k) => makeSession(eve.id, { expiresAt: at(-3600_000 * (k + 2)) }));
    const live = makeSession(eve.id);
    for (const s of [...expired, live]) await p.sessions.createSession(s, tokenHash());
    const cut = at(-3600_000);
    assert.equal(await p.sessions.deleteExpiredSessions(cut, 2), 2);
    assert.equal(await p.sessions.deleteExpiredSessions(cut, 100), 3);
    assert.equal(await p.sessions.deleteExpiredSessions(cut, 100), 0);
    assert.deepEqual((await p.sessions.listSessions({ identityId: eve.id, limit: 10 })).sessions.map((s) => s.id), [live.id]);
  });
});

forEachBackend('persistence: listSessions', (backend) => {
  let o: Opened;
  let p: Persister;
  let ann: Identity;
  let ben: Identity;
  const annIds: string[] = [];
  before(async () => {
    o = await openBackend(backend);
    p = o.persister;
    ann = makeIdentity();
    ben = makeIdentity();
    await p.identities.createIdentity(ann);
    await p.identities.createIdentity(ben);
    // Pairs of sessions share a created_at so the id tie-break of the keyset is exercised.
    for (let k = 0; k < 9; k++) {
      const s = makeSession(ann.id, {
        createdAt: at(-10_000 * Math.floor(k / 2)),
        active: k !== 4,
        expiresAt: k === 6 ? at(-1000) : at(3600_000),
      });
      annIds.push(s.id);
      await p.sessions.createSession(s, tokenHash());
    }
    for (let k = 0; k < 3; k++) await p.sessions.createSession(makeSession(ben.id), tokenHash());
  });
  after(() => o.close());

  const collect = async (q: Parameters<Persister['sessions']['listSessions']>[0]) => {
    const out: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await p.sessions.listSessions({ ...q, pageToken });
      assert.ok(page.sessions.length <= q.limit);
      out.push(...page.sessions.map((s) => s.id));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken && pages < 50);
    return { out, pages };
  };

  test('keyset pages walk created_at DESC, id DESC without gaps or repeats', async () => {
    const all = await p.sessions.listSessions({ identityId: ann.id, limit: 100 });
    assert.equal(all.nextPageToken, undefined);
    const order = all.sessions.map((s) => [s.createdAt.getTime(), s.id] as const);
    const sorted = [...order].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0));
    assert.deepEqual(order, sorted);
    assert.deepEqual([...all.sessions.map((s) => s.id)].sort(), [...annIds].sort());
    const { out, pages } = await collect({ identityId: ann.id, limit: 2 });
    assert.deepEqual(out, all.sessions.map((s) => s.id));
    assert.equal(pages, 5);
  });

  test('filters: identity, active, inactive (revoked or expired), exclude', async () => {
    const active = await collect({ identityId: ann.id, active: true, limit: 3 });
    assert.deepEqual(new Set(active.out), new Set(annIds.filter((_, k) => k !== 4 && k !== 6)));
    const inactive = await collect({ identityId: ann.id, active: false, limit: 3 });
    assert.deepEqual(new Set(inactive.out), new Set([annIds[4], annIds[6]]));
    const excl = await collect({ identityId: ann.id, excludeSessionId: annIds[0], limit: 4 });
    assert.equal(excl.out.length, 8);
    assert.ok(!excl.out.includes(annIds[0]));
    const everyone = await collect({ limit: 5 });
    assert.equal(everyone.out.length, 12);
  });

  test('expandIdentity joins each session with its identity (no credentials)', async () => {
    const page = await p.sessions.listSessions({ limit: 20, expandIdentity: true });
    for (const s of page.sessions) {
      const who = s.identityId === ann.id ? ann : ben;
      assert.deepEqual(s.identity, { ...who, credentials: {} });
    }
    const plain = await p.sessions.listSessions({ limit: 1 });
    assert.equal(plain.sessions[0].identity, undefined);
  });

  test('a crafted page token is a 400, never a 500', async () => {
    for (const bad of ['x', 'bm90LWpzb24', Buffer.from('[1,"nope"]').toString('base64url')]) {
      await assert.rejects(p.sessions.listSessions({ limit: 2, pageToken: bad }), (err: unknown) => err instanceof PortaError && err.code === 400);
    }
  });

  test('unknown or malformed identity ids list nothing', async () => {
    assert.deepEqual((await p.sessions.listSessions({ identityId: randomUUID(), limit: 5 })).sessions, []);
    assert.deepEqual((await p.sessions.listSessions({ identityId: 'nope', limit: 5 })).sessions, []);
  });
});
