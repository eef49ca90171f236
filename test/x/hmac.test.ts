import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { fixedKeyHmac } from '../../src/x/hmac.js';
import { base62, hashToken, safeEqual } from '../../src/x/tokens.js';

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** The straightforward BigInt rendering the fast base62 replaced. */
function base62Reference(bytes: Buffer, length: number): string {
  let n = BigInt(`0x${bytes.toString('hex') || '0'}`);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += ALNUM[Number(n % 62n)];
    n /= 62n;
  }
  return out;
}

test('fixedKeyHmac gives RFC 2104 HMAC-SHA256 bytes for every key length, context and message size', () => {
  const keys = [Buffer.alloc(0), Buffer.from('k'), randomBytes(32), randomBytes(64), randomBytes(65), randomBytes(200), 'a string secret 0123456789'];
  const messages = ['', 'x', 'ory_st_abc|1796671005979|AJE613iP', 'ünïcødé ✓ 𝄞', 'm'.repeat(85), 'm'.repeat(86), 'long '.repeat(400)];
  for (const key of keys) {
    for (const context of ['', 'porta/session-cookie/v1\n', 'porta/logout/']) {
      const mac = fixedKeyHmac(key, context);
      for (const m of messages) {
        const want = createHmac('sha256', key).update(context).update(m, 'utf8').digest();
        // Twice: the reused scratch buffer must not leak one call's bytes into the next.
        assert.deepEqual(mac(m), want, `key ${key.length} context ${JSON.stringify(context)} message ${m.length}`);
        assert.deepEqual(mac(m), want);
        // The same MAC over the message's bytes, and rendered straight as base64url text.
        assert.deepEqual(mac(Buffer.from(m, 'utf8')), want);
        assert.equal(mac.base64url(m), want.toString('base64url'));
        assert.equal(mac.base64url(Buffer.from(m, 'utf8')), want.toString('base64url'));
      }
    }
  }
});

test('base62 renders the same digits as BigInt arithmetic, zeros and leading zero bytes included', () => {
  const cases = [Buffer.alloc(32), Buffer.from([0, 0, 1]), Buffer.alloc(32, 0xff), Buffer.from([61]), Buffer.from([62])];
  for (let i = 0; i < 200; i++) cases.push(randomBytes(1 + (i % 40)));
  for (const b of cases) {
    for (const len of [1, 8, 32, 45]) assert.equal(base62(b, len), base62Reference(b, len), b.toString('hex'));
  }
});

test('hashToken is the SHA-256 of the token', () => {
  for (const t of ['', 'ory_st_abc', 'ünï']) assert.deepEqual(hashToken(t), createHash('sha256').update(t, 'utf8').digest());
});

test('safeEqual is string equality: lengths, prefixes, every position and non-ASCII units', () => {
  const base = 'ory_lo_RlHMxRsACCDHUgJNHEP6GSX9eO92GMGe';
  assert.equal(safeEqual(base, String(base)), true);
  assert.equal(safeEqual('', ''), true);
  for (const other of ['', base.slice(0, -1), `${base}a`, `${base}\0`, 'ü', base.toUpperCase()]) {
    assert.equal(safeEqual(base, other), false, JSON.stringify(other));
    assert.equal(safeEqual(other, base), false, JSON.stringify(other));
  }
  // A difference in any one position is seen, whatever the others.
  for (let i = 0; i < base.length; i++) {
    const flipped = base.slice(0, i) + String.fromCharCode(base.charCodeAt(i) ^ 1) + base.slice(i + 1);
    assert.equal(safeEqual(base, flipped), false, `position ${i}`);
  }
  assert.equal(safeEqual('ü✓𝄞', 'ü✓𝄞'), true);
  assert.equal(safeEqual('ü✓𝄞', 'ü✓𝄟'), false);
});
