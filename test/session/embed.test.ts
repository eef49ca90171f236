import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { seedLogin, seedSession } from '../helpers/seed.js';
import { sessionToJSON } from '../../src/session/json.js';
import { goJson } from '../../src/http/writer.js';
import { hashToken } from '../../src/x/tokens.js';
import { whoami } from './util.js';

// whoami splices the identity's JSON stored with every identity write (identities.embed) and the session's
// own parts stored with every session write (sessions.embed_head, embed_devices). Its bytes must be those of
// the session serialised per request, as before: with the stored parts, without them (rows written before
// the columns existed), and after every kind of identity and session update.

/** Raw SQL on the app's own database (inspecting and resetting the stored embed). */
async function sql(t: TestApp, text: string, args: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  const p = t.app.registry.persister as any;
  if (p.dialect === 'sqlite') return p.db.prepare(text.replace(/\$\d/g, '?')).all(...args);
  return (await p.pool.query(text, args)).rows;
}

forEachBackend('whoami identity embed', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(() => t.close());

  /** The body the per-request serialisation gives: the full session read, sessionToJSON, goJson. */
  async function reference(token: string): Promise<string> {
    const row = await t.app.registry.persister.sessions.getSessionByTokenHash(hashToken(token));
    assert.ok(row);
    return goJson(sessionToJSON(row.session, { config: t.config, identity: row.identity, devices: true }));
  }

  /** whoami with the stored embeds, then with each removed: all must be the reference bytes. */
  async function checkBodies(token: string, identityId: string, label: string): Promise<string> {
    const stored = await sql(t, 'SELECT embed FROM identities WHERE id = $1', [identityId]);
    assert.equal(typeof stored[0].embed, 'string', `${label}: the write stored an embed`);
    const sessionId = (await t.app.registry.persister.sessions.getSessionByTokenHash(hashToken(token)))!.session.id;
    const own = await sql(t, 'SELECT embed_head, embed_devices FROM sessions WHERE id = $1', [sessionId]);
    assert.equal(typeof own[0].embed_head, 'string', `${label}: the session write stored its head`);
    assert.equal(typeof own[0].embed_devices, 'string', `${label}: the session write stored its devices`);
    const expected = await reference(token);
    const withEmbed = await whoami(t, { 'x-session-token': token });
    assert.equal(withEmbed.statusCode, 200, label);
    assert.equal(withEmbed.body, expected, `${label}: with the stored embeds`);
    assert.equal(withEmbed.headers['content-type'], 'application/json; charset=utf-8');
    await sql(t, 'UPDATE identities SET embed = NULL WHERE id = $1 RETURNING id', [identityId]);
    const withoutEmbed = await whoami(t, { 'x-session-token': token });
    assert.equal(withoutEmbed.body, expected, `${label}: built from the identity row (no identity embed)`);
    await sql(t, 'UPDATE sessions SET embed_head = NULL, embed_devices = NULL WHERE id = $1 RETURNING id', [sessionId]);
    const withoutEither = await whoami(t, { 'x-session-token': token });
    assert.equal(withoutEither.body, expected, `${label}: built from the rows (no embed at all)`);
    // Put the stored parts back, so a later check of this session starts from what the writes stored.
    await sql(t, 'UPDATE identities SET embed = $1 WHERE id = $2 RETURNING id', [stored[0].embed, identityId]);
    await sql(t, 'UPDATE sessions SET embed_head = $1, embed_devices = $2 WHERE id = $3 RETURNING id', [own[0].embed_head, own[0].embed_devices, sessionId]);
    return expected;
  }

  const admin = (method: 'PUT' | 'PATCH' | 'GET', id: string, payload?: unknown) =>
    t.app.admin.inject({ method, url: `/admin/identities/${id}`, headers: { 'content-type': 'application/json' }, payload: payload as string });

  test('whoami bodies are byte-identical with and without a stored embed, across admin and self-service updates', async () => {
    // Characters Go escapes (<, >, &, U+2028) and non-ASCII, in traits and metadata_public.
    const s = await seedLogin(t, {
      traits: { website: 'https://example.org/?a=1&b=2' },
      metadataPublic: { note: 'line\u2028sep <b>&amp;</b> été', n: 1.5, list: [1, 'x', null] },
    });
    const first = await checkBodies(s.token, s.identity.id, 'seeded');
    assert.match(first, /\\u003cb\\u003e\\u0026amp;/, 'the escapes are in the body');

    // Admin PUT: traits, metadata_public, state (and back), an external id.
    const got = JSON.parse((await admin('GET', s.identity.id)).body);
    const put = (over: Record<string, unknown>) =>
      admin('PUT', s.identity.id, { schema_id: got.schema_id, traits: got.traits, metadata_public: got.metadata_public, state: 'active', ...over });
    let r = await put({ traits: { ...got.traits, website: 'https://example.org/new?q=a&b' }, metadata_public: { plan: 'pro' }, external_id: 'ext-<1>' });
    assert.equal(r.statusCode, 200, r.body);
    await checkBodies(s.token, s.identity.id, 'after PUT of traits and metadata_public');

    r = await put({ state: 'inactive' });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal((await whoami(t, { 'x-session-token': s.token })).statusCode, 401, 'an inactive identity has no session');
    r = await put({ state: 'active' });
    assert.equal(r.statusCode, 200, r.body);
    // Disabling ended the identity's sessions: a new login.
    const identity = (await t.app.registry.persister.identities.getIdentity(s.identity.id))!;
    const token = (await seedSession(t, identity)).token;
    await checkBodies(token, s.identity.id, 'after state inactive and back');

    // Admin PATCH: a verifiable address verified, metadata_public replaced.
    r = await admin('PATCH', s.identity.id, [
      { op: 'replace', path: '/verifiable_addresses/0/verified', value: true },
      { op: 'replace', path: '/verifiable_addresses/0/status', value: 'completed' },
      { op: 'replace', path: '/metadata_public', value: { patched: '>' } },
    ]);
    assert.equal(r.statusCode, 200, r.body);
    await checkBodies(token, s.identity.id, 'after PATCH of verifiable addresses and metadata_public');

    // Self-service: the settings API flow (profile method) changes the traits with the session token.
    const flow = await t.app.public.inject({ method: 'GET', url: '/self-service/settings/api', headers: { 'x-session-token': token } });
    assert.equal(flow.statusCode, 200, flow.body);
    const flowId = JSON.parse(flow.body).id as string;
    const traits = JSON.parse((await admin('GET', s.identity.id)).body).traits;
    const submit = await t.app.public.inject({
      method: 'POST',
      url: `/self-service/settings?flow=${flowId}`,
      headers: { 'x-session-token': token, 'content-type': 'application/json', accept: 'application/json' },
      payload: JSON.stringify({ method: 'profile', traits: { ...traits, website: 'https://example.org/self&service' } }),
    });
    assert.equal(submit.statusCode, 200, submit.body);
    const after = await checkBodies(token, s.identity.id, 'after self-service settings');
    assert.match(after, /self\\u0026service/);
  });

  test("the session's stored parts follow a refresh login (new method, device escapes, new authenticated_at)", async () => {
    const password = 'a-long-enough-password-9f3k';
    const s = await seedLogin(t, { password });
    const email = (s.identity.traits as { email: string }).email;
    // Go escapes <, > and & inside strings: the user agent lands in the stored device list.
    const ua = 'agent <b>&amp; co</b>';
    const login = async (query: string, headers: Record<string, string>) => {
      const init = await t.app.public.inject({ method: 'GET', url: `/self-service/login/api${query}`, headers: { accept: 'application/json', 'user-agent': ua, ...headers } });
      assert.equal(init.statusCode, 200, init.body);
      return t.app.public.inject({
        method: 'POST',
        url: `/self-service/login?flow=${JSON.parse(init.body).id}`,
        headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': ua, ...headers },
        payload: JSON.stringify({ method: 'password', identifier: email, password }),
      });
    };
    const first = await login('', {});
    assert.equal(first.statusCode, 200, first.body);
    const token = JSON.parse(first.body).session_token as string;
    const before = await checkBodies(token, s.identity.id, 'after an API login');
    assert.match(before, /agent \\u003cb\\u003e\\u0026amp; co/);
    const headOf = async () => (await sql(t, 'SELECT embed_head FROM sessions WHERE id = $1', [JSON.parse(before).id]))[0].embed_head as string;
    const headBefore = await headOf();
    await new Promise((r) => setTimeout(r, 5));
    const again = await login('?refresh=true', { 'x-session-token': token });
    assert.equal(again.statusCode, 200, again.body);
    const headAfter = await headOf();
    assert.notEqual(headAfter, headBefore, 'the refresh rewrote the stored head');
    assert.equal(JSON.parse(`{${headAfter}}`).authentication_methods.length, 2, 'the stored head holds both methods');
    // A refresh issues a new token for the same session (no fixation).
    const newToken = JSON.parse(again.body).session_token as string;
    assert.equal(JSON.parse(again.body).session.id, JSON.parse(before).id, 'the same session');
    const afterRefresh = await checkBodies(newToken, s.identity.id, 'after a refresh login');
    assert.notEqual(afterRefresh, before, 'the refresh changed what whoami shows');
    assert.equal(JSON.parse(afterRefresh).authentication_methods.length, 2, 'the refresh appended a method');
  });
});
