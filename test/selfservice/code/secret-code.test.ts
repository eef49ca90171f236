import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCode, newCode, storeCode } from '../../../src/selfservice/strategy/code/secret-code.js';

const SECRETS = ['first-secret-0123456789abcdef', 'older-secret-0123456789abcdef'];

test('codes are six digits and stored only as a digest', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const code = newCode();
    assert.match(code, /^\d{6}$/);
    seen.add(code);
    const stored = storeCode(SECRETS, 'verification', code, 60_000, 'a@example.org');
    assert.ok(!JSON.stringify(stored).includes(code), 'the code itself is never stored');
  }
  assert.ok(seen.size > 190, 'codes do not repeat in a small sample');
});

test('the right code passes, under a rotated-out secret too; another purpose does not', () => {
  const code = newCode();
  assert.equal(checkCode(SECRETS, 'verification', storeCode(SECRETS, 'verification', code, 60_000, 'a@x.org'), code, 5), 'ok');
  const old = storeCode([SECRETS[1]], 'verification', code, 60_000, 'a@x.org');
  assert.equal(checkCode(SECRETS, 'verification', old, code, 5), 'ok');
  assert.equal(checkCode(SECRETS, 'recovery', storeCode(SECRETS, 'verification', code, 60_000, 'a@x.org'), code, 5), 'wrong');
});

test('wrong tries are counted and exhaust the code; expiry wins over a right code', () => {
  const code = '123456';
  const stored = storeCode(SECRETS, 'recovery', code, 60_000, 'a@x.org');
  for (let i = 1; i < 5; i++) assert.equal(checkCode(SECRETS, 'recovery', stored, '000000', 5), 'wrong');
  assert.equal(checkCode(SECRETS, 'recovery', stored, '000000', 5), 'exhausted');
  assert.equal(checkCode(SECRETS, 'recovery', stored, code, 5), 'exhausted', 'the right code no longer works');
  const expired = storeCode(SECRETS, 'recovery', code, -1, 'a@x.org');
  assert.equal(checkCode(SECRETS, 'recovery', expired, code, 5), 'expired');
  assert.equal(checkCode(SECRETS, 'recovery', storeCode(SECRETS, 'recovery', code, 60_000, 'a@x.org'), `${code}${'9'.repeat(100000)}`, 5), 'wrong');
});
