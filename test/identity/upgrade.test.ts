import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, type TestApp } from '../helpers/harness.js';
import { admin, startIdentityApp } from './helpers.js';

/** Contract: bcrypt and argon2 hashes from imports still verify and are upgraded on the next login. */
forEachBackend('imported hashes are upgraded on the next password login', (backend) => {
  let t: TestApp;
  before(async () => {
    t = await startIdentityApp(backend);
  });
  after(() => t.close());

  async function apiLogin(identifier: string, password: string): Promise<number> {
    const init = await t.app.public.inject({ method: 'GET', url: '/self-service/login/api', headers: { accept: 'application/json' } });
    assert.equal(init.statusCode, 200, init.body);
    const res = await t.app.public.inject({
      method: 'POST',
      url: `/self-service/login?flow=${init.json().id}`,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      payload: JSON.stringify({ method: 'password', identifier, password }),
    });
    return res.statusCode;
  }

  const imports: Array<[string, string]> = [
    ['bcrypt', '$2a$10$ZsCsoVQ3xfBG/K2z2XpBf.tm90GZmtOqtqWcB5.pYd5Eq8y7RlDyq'],
    ['argon2id-foreign-params', '$argon2id$v=19$m=16,t=2,p=1$bVI1aE1SaTV6SGQ3bzdXdw$fnjCcZYmEPOUOjYXsT92Cg'],
    ['pbkdf2', '$pbkdf2-sha256$i=1000,l=128$e8/arsEf4cvQihdNgqj0Nw$5xQQKNTyeTHx2Ld5/JDE7A'],
  ];
  for (const [name, hash] of imports) {
    test(name, async () => {
      const email = `upgrade-${name}@ory.sh`;
      const created = await admin(t, 'POST', '/admin/identities', { schema_id: 'email', traits: { email, website: 'https://www.ory.sh' }, credentials: { password: { config: { hashed_password: hash } } } });
      assert.equal(created.statusCode, 201, created.body);
      const stored = async () => (await t.app.registry.identities.get(created.json().id))!.credentials.password.config.hashed_password as string;
      assert.equal(await apiLogin(email, 'wrong-password'), 400);
      assert.equal(await stored(), hash, 'a failed login changes nothing');
      assert.equal(await apiLogin(email, '123456'), 200);
      const upgraded = await stored();
      assert.match(upgraded, /^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
      assert.equal(await apiLogin(email, '123456'), 200, 'the upgraded hash verifies');
      assert.equal(await stored(), upgraded, 'a current hash is not re-hashed');
    });
  }
});
