import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashSync } from '@node-rs/bcrypt';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import { seedIdentity } from '../../helpers/seed.js';
import { apiFlow, submitAPI } from './helpers.js';

forEachBackend('login with imported hashes', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ backend });
  });
  after(async () => t.close());

  test('an imported bcrypt hash logs in and is upgraded to argon2id; a wrong password changes nothing', async () => {
    const hashed = hashSync('imported-password-1', 4);
    const identity = await seedIdentity(t, { email: 'imported@example.org', hashedPassword: hashed });
    const flow = await apiFlow(t, 'login');
    const wrong = await submitAPI(t, 'login', flow.id, { method: 'password', identifier: 'imported@example.org', password: 'imported-password-2' });
    assert.equal(wrong.status, 400);
    const stored = async () => (await t.app.registry.persister.identities.getIdentity(identity.id))?.credentials.password?.config.hashed_password as string;
    assert.equal(await stored(), hashed);
    const ok = await submitAPI(t, 'login', flow.id, { method: 'password', identifier: 'imported@example.org', password: 'imported-password-1' });
    assert.equal(ok.status, 200, ok.body);
    assert.match(await stored(), /^\$argon2id\$/);
    const again = await apiFlow(t, 'login');
    assert.equal((await submitAPI(t, 'login', again.id, { method: 'password', identifier: 'imported@example.org', password: 'imported-password-1' })).status, 200);
  });

  test('an identity without a password credential cannot log in (4000006)', async () => {
    await seedIdentity(t, { email: 'nopw@example.org' });
    const flow = await apiFlow(t, 'login');
    const res = await submitAPI(t, 'login', flow.id, { method: 'password', identifier: 'nopw@example.org', password: 'anything-at-all' });
    assert.equal(res.status, 400);
    assert.equal(res.json().ui.messages[0].id, 4000006);
  });
});
