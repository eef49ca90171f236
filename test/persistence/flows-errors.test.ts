import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { forEachBackend } from '../helpers/harness.js';
import type { Persister } from '../../src/persistence/types.js';
import type { StoredError, StoredFlow } from '../../src/selfservice/flow/types.js';
import { at, openBackend, type Opened } from './fixtures.js';

const flow = (over: Partial<StoredFlow> = {}): StoredFlow => ({
  id: randomUUID(),
  kind: 'login',
  type: 'browser',
  expiresAt: at(600_000),
  issuedAt: at(),
  csrfToken: 'csrf-raw-token',
  data: { request_url: 'http://localhost:4433/self-service/login/browser', ui: { nodes: [{ b: 1, a: 2 }] }, refresh: false },
  createdAt: at(),
  updatedAt: at(),
  ...over,
});

const errorContainer = (over: Partial<StoredError> = {}): StoredError => ({
  id: randomUUID(),
  error: { code: 500, status: 'Internal Server Error', message: 'boom' },
  csrfToken: 'c',
  seenAt: null,
  createdAt: at(),
  updatedAt: at(),
  ...over,
});

forEachBackend('persistence: flows and errors', (backend) => {
  let o: Opened;
  let p: Persister;
  before(async () => {
    o = await openBackend(backend);
    p = o.persister;
  });
  after(() => o.close());

  test('flows round-trip and are looked up by kind and id', async () => {
    const f = flow();
    await p.flows.createFlow(f);
    assert.deepEqual(await p.flows.getFlow('login', f.id), f);
    assert.equal(await p.flows.getFlow('registration', f.id), null);
    assert.equal(await p.flows.getFlow('login', randomUUID()), null);
    assert.equal(await p.flows.getFlow('login', 'not-a-uuid'), null);
  });

  test('updateFlow rewrites data, csrf token and expiry', async () => {
    const f = flow({ kind: 'registration', type: 'api', csrfToken: '' });
    await p.flows.createFlow(f);
    const changed = { ...f, data: { ui: { messages: [{ id: 4000006 }] } }, expiresAt: at(900_000), csrfToken: 'new' };
    await p.flows.updateFlow(changed);
    const got = await p.flows.getFlow('registration', f.id);
    assert.deepEqual({ ...got!, updatedAt: changed.updatedAt }, changed);
  });

  test('deleteExpiredFlows honours the cut-off and the limit', async () => {
    const old = [flow({ expiresAt: at(-7200_000) }), flow({ expiresAt: at(-7200_000) }), flow({ kind: 'registration', expiresAt: at(-7200_000) })];
    const fresh = flow();
    for (const f of [...old, fresh]) await p.flows.createFlow(f);
    assert.equal(await p.flows.deleteExpiredFlows(at(-3600_000), 2), 2);
    assert.equal(await p.flows.deleteExpiredFlows(at(-3600_000), 2), 1);
    assert.equal(await p.flows.deleteExpiredFlows(at(-3600_000), 2), 0);
    assert.ok(await p.flows.getFlow('login', fresh.id));
  });

  test('getError returns the container and marks it seen', async () => {
    const e = errorContainer();
    await p.errors.createError(e);
    const got = await p.errors.getError(e.id);
    assert.deepEqual(got!.error, e.error);
    assert.equal(got!.id, e.id);
    assert.equal(got!.csrfToken, 'c');
    assert.deepEqual(got!.createdAt, e.createdAt);
    assert.ok(got!.seenAt instanceof Date && Math.abs(got!.seenAt.getTime() - Date.now()) < 60_000);
    assert.equal(await p.errors.getError(randomUUID()), null);
    assert.equal(await p.errors.getError('nope'), null);
  });

  test('deleteOldErrors deletes containers created before the cut-off', async () => {
    const old = errorContainer({ createdAt: at(-86_400_000) });
    const recent = errorContainer();
    await p.errors.createError(old);
    await p.errors.createError(recent);
    assert.equal(await p.errors.deleteOldErrors(at(-3600_000), 10), 1);
    assert.equal(await p.errors.getError(old.id), null);
    assert.ok(await p.errors.getError(recent.id));
  });
});
