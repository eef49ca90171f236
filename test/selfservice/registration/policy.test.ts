import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPassword, tooSimilar } from '../../../src/selfservice/strategy/password/policy.js';

const policy = { enabled: true, minPasswordLength: 8, identifierSimilarityCheck: true };

test('Kratos validator vectors: similarity to the identifier (lower-cased, Levenshtein < 5 or common substring > half)', () => {
  for (const pw of ['hello@example.com12345', '123hello@example.com123', 'hello@exam', 'HELLO@EXAMPLE.COM', 'h3ll0@example']) {
    assert.equal(tooSimilar('hello@example.com', pw), true, pw);
  }
  assert.equal(tooSimilar('abcd', '9d3c8a1b'), false);
  assert.equal(tooSimilar('a', 'kjOklafe'), false);
  assert.equal(tooSimilar('ab', '0000ab0000123'), false);
  assert.equal(tooSimilar('', 'anything'), false);
  assert.equal(tooSimilar('x'.repeat(257), 'x'.repeat(257)), false, 'inputs over 256 bytes are not compared');
});

test('minimum length counts bytes and comes first; the similarity check can be switched off', () => {
  for (const pw of ['', '12', '1234', '123456', 'l3f9to']) assert.equal(checkPassword(policy, [], pw)?.id, 4000032, pw);
  assert.equal(checkPassword(policy, ['someone@example.org'], 'l3f9toh1uaf81n21'), undefined);
  assert.deepEqual(checkPassword(policy, [], 'ééé'), {
    id: 4000032,
    text: 'The password must be at least 8 characters long, but got 6.',
    type: 'error',
    context: { actual_length: 6, min_length: 8 },
  });
  assert.equal(checkPassword(policy, ['hello@example.com'], 'hello@exam')?.id, 4000031);
  assert.equal(checkPassword({ ...policy, identifierSimilarityCheck: false }, ['hello@example.com'], 'hello@example.com'), undefined);
  assert.equal(checkPassword({ ...policy, minPasswordLength: 12 }, [], 'elevenchars')?.text, 'The password must be at least 12 characters long, but got 11.');
  assert.equal(checkPassword(policy, [], '12345678'), undefined, 'no breached-password lookup (offline by contract)');
});
