import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { Config } from '../../src/config/config.js';
import { Hasher } from '../../src/hash/hasher.js';

// Not the harness: it imports the whole app, and these tests only need a Config.
function referenceConfig(): Record<string, any> {
  return {
    dev: true,
    selfservice: { default_browser_return_url: 'http://localhost:4455/' },
    identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: 'base64://e30' }] },
    secrets: { default: ['porta-test-secret-0123456789abcdef'] },
    hashers: { argon2: { memory: '64KiB', iterations: 1, parallelism: 1 } },
  };
}

function hasher(over: Record<string, any> = {}): Hasher {
  const values = { ...referenceConfig(), dsn: 'memory', ...over };
  return new Hasher(Config.load({ values, env: {} }));
}

// kratos-flows-spec.md §4.3 worked examples (Kratos hash/hasher_test.go, identity/handler_test.go).
const VECTORS: Array<[string, string]> = [
  ['test', '$2a$12$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL6'],
  ['test', '$argon2id$v=19$m=32,t=2,p=4$cm94YnRVOW5jZzFzcVE4bQ$MNzk5BtR2vUhrp6qQEjRNw'],
  ['test', '$pbkdf2-sha256$i=100000,l=32$1jP+5Zxpxgtee/iPxGgOz0RfE9/KJuDElP1ley4VxXc$QJxzfvdbHYBpydCbHoFg3GJEqMFULwskiuqiJctoYpI'],
  ['test', '$scrypt$ln=16384,r=8,p=1$2npRo7P03Mt8keSoMbyD/tKFWyUzjiQf2svUaNDSrhA=$MiCzNcIplSMqSBrm4HckjYqYhaVPPjTARTzwB1cVNYE='],
  ['123456', '$2a$10$ZsCsoVQ3xfBG/K2z2XpBf.tm90GZmtOqtqWcB5.pYd5Eq8y7RlDyq'],
  ['123456', '$argon2id$v=19$m=16,t=2,p=1$bVI1aE1SaTV6SGQ3bzdXdw$fnjCcZYmEPOUOjYXsT92Cg'],
  ['123456', '$pbkdf2-sha256$i=1000,l=128$e8/arsEf4cvQihdNgqj0Nw$5xQQKNTyeTHx2Ld5/JDE7A'],
  ['123456', '$scrypt$ln=16384,r=8,p=1$ZtQva9xCHzlSELH/mA7Kj5KjH2tCrkbwYzdxknkL0QQ=$pnTcXKaWVT+FwFDdk3vO1K0J7ZgOxdSU1tCJNYmn8zI='],
  ['123456', '$md5$4QrcOUm6Wau+VuBX8g+IPg=='],
  ['test123', '{SSHA}JFZFs0oHzxbMwkSJmYVeI8MnTDy/276a'],
  ['test', '$pbkdf2-sha512$i=100000,l=32$bdHBpn7OWOivJMVJypy2UqR0UnaD5prQXRZevj/05YU$+wArTfv1a+bNGO1iZrmEdVjhA+lL11wF4/IxpgYfPwc'],
  // Kratos hash/hasher_test.go: md5 with and without a salting format, HMAC over every digest.
  ['ory', '$md5$ptoWyof5SobW+pbZu2QXoQ=='],
  ['test', '$md5$pf=e1NBTFR9e1BBU1NXT1JEfQ==$MTIz$q+RdKCgc+ipCAcm5ChQwlQ=='],
  ['test', '$md5$pf=e1NBTFR9JCR7UEFTU1dPUkR9$MTIzNA==$ud392Z8rfZ+Ou7ZFXYLKbA=='],
  ['ory', '$md5$pf=e1BBU1NXT1JEfXtTQUxUfSQ/$MTIzNDU2Nzg5$8PhwWanVRnpJAFK4NUjR0w=='],
  ['test', '$hmac-md5$ZmU4Njk3Zjc0MmQwODA0MDVkMTI3MGU2MTYzMzE2Zjk=$MTIzNDU='],
  ['test', '$hmac-sha1$NDMyNjcxZTUyY2Y2YTBmYjZjZDE2NjQxYjAwNjFiZjAwOGEzNWM5MA==$MTIzNDU='],
  ['test', '$hmac-sha224$YmUwYmYzM2EwNGRlNDE0YjQzNjBhNmIyOThmNmIyYzI4OWQyMzk3MDUwZDFjMzliYjVmMDMyOTQ=$MTIzNDU='],
  ['test', '$hmac-sha256$ZTAzMWJhMWMyOTM4YjFkMjgzZjkxOWExZGY5YWM2NmMxOTJhN2RkNzQ0MzJkNWZkNGFkYTI5OTk0MWJhMTA5Zg==$MTIzNDU='],
  ['test', '$hmac-sha384$ZWEyMGM3NGE4Y2UzMTljNTdjZTlhZGQyYTZjNDE0MGQ4YjMwYWIwOWM4OTRiNWQ4MmZjODlhMzBhMmQzNGE5NmQ0NDY1NWRhYjQ2ZjhiYjBkNTRmYjk5YWZkZTA1MGY1$MTIzNDU='],
  ['test', '$hmac-sha512$OTFmODY0ZTI1NmU0ZjVhYjhiMDViZGFmNGVmNGZmMGVlNTY4ODYwNWJhYTk4MTk2OTgyMzc3NzI1YTc4MzcxMTMzNzZmY2YxYTk5MGMxM2RiZDk2MGFmMmQ1YzRmODdlMGMwYTNkYjcyNjY0NjM4NGE4YzQ2MjNhZDZkN2UxZTE=$MTIzNDU='],
  ['test', '$md5-crypt$TVEiiKNb$SN6/pUaRQS/E8Jh46As2C/'],
  ['test', '$md5-crypt$$whuMjZj.HMFoaTaZRRtkO0'],
  ['ory', '$md5-crypt$xWMlm2eL$GGTOpgZu4p2k6ORprAu3b.'],
  ['test', '$sha256-crypt$rounds=535000$05R.9KB6UC2kLI3w$Q/zslzx./JjkAVPTwp6th7nW5l7JU91Gte/UmIh.U78'],
  ['ory', '$sha512-crypt$rounds=656000$0baQbxBrfpKqvizk$Q9cYk1MeNAlECPgpG3jjfNI2DumLqd0yHbxzLdxiX6nsSD5i9n0awcbiCf8R5DzpIYxeBPznPcb1wtzlgUKtH0'],
  ['Hello world!', '$sha512-crypt$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'],
  ['8x4WjoDbSxJZdR', '$firescrypt$ln=14,r=8,p=1$sPtDhWcd1MfdAw==$xbSou7FOl6mChCyzpCPIQ7tku7nsQMTFtyOZSXXd7tjBa4NtimOx7v42Gv2SfzPQu1oxM2/k4SsbOu73wlKe1A==$Bw==$YE0dO4bwD4JnJafh6lZZfkp1MtKzuKAXQcDCJNJNyeCHairWHKENOkbh3dzwaCdizzOspwr/FITUVlnOAwPKyw=='],
];

function mutate(h: string): string {
  const i = h.length - 3;
  return h.slice(0, i) + (h[i] === 'A' ? 'B' : 'A') + h.slice(i + 1);
}

describe('hasher: verification vectors', () => {
  const h = hasher();
  for (const [pw, hash] of VECTORS) {
    test(`${hash.slice(0, 16)}… verifies ${pw} and nothing else`, async () => {
      assert.equal(await h.verify(pw, hash), true);
      assert.equal(await h.verify(`${pw}x`, hash), false);
      assert.equal(await h.verify(pw, mutate(hash)), false);
    });
  }

  test('argon2i PHC strings verify', async () => {
    const { hash } = await import('@node-rs/argon2');
    const encoded = await hash('secret', { algorithm: 1 as any, memoryCost: 64, timeCost: 1, parallelism: 1 });
    assert.match(encoded, /^\$argon2i\$/);
    assert.equal(await h.verify('secret', encoded), true);
    assert.equal(await h.verify('Secret', encoded), false);
  });

  test('argon2 hashes beyond the native PHC parser (64-byte salt, 80-byte key) still verify', async () => {
    const { hashRaw } = await import('@node-rs/argon2');
    const salt = Buffer.alloc(64, 7);
    const key = await hashRaw('secret', { algorithm: 2 as any, memoryCost: 64, timeCost: 1, parallelism: 1, salt, outputLen: 80 });
    const raw = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
    const encoded = `$argon2id$v=19$m=64,t=1,p=1$${raw(salt)}$${raw(key)}`;
    assert.equal(await h.verify('secret', encoded), true);
    assert.equal(await h.verify('Secret', encoded), false);
  });

  test('pbkdf2, scrypt, sha, ssha256/512, hmac formats built with node:crypto verify', async () => {
    const c = await import('node:crypto');
    const salt = Buffer.from('saltsalt');
    const raw = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
    assert.equal(await h.verify('pw', `$pbkdf2-sha512$i=10,l=64$${raw(salt)}$${raw(c.pbkdf2Sync('pw', salt, 10, 64, 'sha512'))}`), true);
    assert.equal(await h.verify('pw', `$sha256$pf=${Buffer.from('{SALT}{PASSWORD}').toString('base64')}$${salt.toString('base64')}$${c.createHash('sha256').update('saltsaltpw').digest('base64')}`), true);
    assert.equal(await h.verify('pw', `{SSHA256}${Buffer.concat([c.createHash('sha256').update('pwsaltsalt').digest(), salt]).toString('base64')}`), true);
    assert.equal(await h.verify('pw', `{SSHA512}${Buffer.concat([c.createHash('sha512').update('pwsaltsalt').digest(), salt]).toString('base64')}`), true);
    const hex = c.createHmac('sha256', 'key').update('pw').digest('hex');
    assert.equal(await h.verify('pw', `$hmac-sha256$${Buffer.from(hex).toString('base64')}$${Buffer.from('key').toString('base64')}`), true);
    assert.equal(await h.verify('px', `$hmac-sha256$${Buffer.from(hex).toString('base64')}$${Buffer.from('key').toString('base64')}`), false);
  });

  test('unknown and malformed formats never verify', async () => {
    for (const bad of ['', 'plain', '$md5-crypt$whuMjZj.HMFoaTaZRRtkO0', '$sha256-crypt$$', '$5$rounds=535000$awpcR7lDlnK/S7WE$vHU7KkQwyjfGz6u4MUi7.lH9htK/l63HloTsX1ZMz.3', '$argon2id$v=18$m=16,t=2,p=1$bVI1aE1SaTV6SGQ3bzdXdw$fnjCcZYmEPOUOjYXsT92Cg', '$argon2id$v=19$m=16,t=2,p=1$bVI1aE1SaTV6SGQ3bzdXdw==$fnjCcZYmEPOUOjYXsT92Cg', '$2a$12$short', '{SSHA}', '$hmac-md4$YWJj$YWJj']) {
      assert.equal(await h.verify('123456', bad), false, bad);
    }
  });

  test('parameter bounds are enforced before any work (Kratos: m ≤ 1 GiB, t ≤ 10, p ≤ 16, bcrypt cost ≤ 15)', async () => {
    assert.equal(h.importProblem('$argon2id$v=19$m=2097152,t=2,p=1$bVI1aE1SaTV6SGQ3bzdXdw$fnjCcZYmEPOUOjYXsT92Cg'), 'bounds');
    assert.equal(h.importProblem('$argon2id$v=19$m=16,t=11,p=1$bVI1aE1SaTV6SGQ3bzdXdw$fnjCcZYmEPOUOjYXsT92Cg'), 'bounds');
    assert.equal(h.importProblem('$argon2id$v=19$m=1024,t=1,p=17$bVI1aE1SaTV6SGQ3bzdXdw$fnjCcZYmEPOUOjYXsT92Cg'), 'bounds');
    assert.equal(h.importProblem('$2a$16$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL6'), 'bounds');
    assert.equal(h.importProblem('$scrypt$ln=262144,r=8,p=1$ZtQva9xCHzlSELH/mA7Kj5KjH2tCrkbwYzdxknkL0QQ=$pnTcXKaWVT+FwFDdk3vO1K0J7ZgOxdSU1tCJNYmn8zI='), 'bounds');
    assert.equal(h.importProblem('$pbkdf2-sha256$i=10000001,l=32$e8/arsEf4cvQihdNgqj0Nw$5xQQKNTyeTHx2Ld5/JDE7A'), 'bounds');
    // Kratos's hash_limits_test.go cases.
    for (const hash of [
      '$firescrypt$ln=31,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaA==$Bw==$a2V5a2V5',
      '$firescrypt$ln=18,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaA==$Bw==$a2V5a2V5',
      '$firescrypt$ln=14,r=1024,p=1$c2FsdHNhbHRzYWx0$aGFzaA==$Bw==$a2V5a2V5',
      '$firescrypt$ln=14,r=8,p=1024$c2FsdHNhbHRzYWx0$aGFzaA==$Bw==$a2V5a2V5',
      '$scrypt$ln=2097153,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaA==',
      '$scrypt$ln=16384,r=1024,p=1$c2FsdHNhbHRzYWx0$aGFzaA==',
      '$argon2id$v=19$m=8388608,t=2,p=4$cm94YnRVOW5jZzFzcVE4bQ$MNzk5BtR2vUhrp6qQEjRNw',
      '$argon2id$v=19$m=65536,t=1000,p=4$cm94YnRVOW5jZzFzcVE4bQ$MNzk5BtR2vUhrp6qQEjRNw',
      '$argon2i$v=19$m=8388608,t=3,p=4$kk51rW/vxIVCYn+EG4kTSg$NyT88uraJ6im6dyha/M5jhXvpqlEdlS/9fEm7ScMb8c',
      '$pbkdf2-sha256$i=1000000000,l=32$1jP+5Zxpxgtee/iPxGgOz0RfE9/KJuDElP1ley4VxXc$QJxzfvdbHYBpydCbHoFg3GJEqMFULwskiuqiJctoYpI',
      '$2a$20$abcdefghijklmnopqrstuugn/uitWMnDoOdJaSWqW1pjEXZ8eOSCqK',
      // Porta's own cap: Kratos would run these 999,999,999 SHA-512 rounds on every login.
      '$sha512-crypt$rounds=999999999$0baQbxBrfpKqvizk$Q9cYk1MeNAlECPgpG3jjfNI2DumLqd0yHbxzLdxiX6nsSD5i9n0awcbiCf8R5DzpIYxeBPznPcb1wtzlgUKtH0',
    ]) {
      assert.equal(h.importProblem(hash), 'bounds', hash);
      assert.equal(await h.verify('any-password', hash), false);
    }
    for (const hash of ['$2a$15$GRvRO2nrpYTEuPQX6AieaOlZ4.7nMGsXpt.QWMev1zrP86JNspZbO', '$argon2i$v=19$m=65536,t=3,p=4$kk51rW/vxIVCYn+EG4kTSg$NyT88uraJ6im6dyha/M5jhXvpqlEdlS/9fEm7ScMb8c', '$md5$CY9rzUYh03PK3k6DJie09g==']) {
      assert.equal(h.importProblem(hash), null, hash);
    }
    assert.equal(h.importProblem('nope'), 'unknown');
    // This Node's OpenSSL lacks MD4, so HMAC-MD4 imports are refused rather than stored unverifiable.
    const md4 = (await import('node:crypto')).getHashes().includes('md4');
    assert.equal(h.importProblem('$hmac-md4$MWQ5ZTI4Nzc2Zjg4YmE2MTQ5YjQ0OTMyOGE4NWU4YjA=$MTIzNDU='), md4 ? null : 'unknown');
    assert.equal(h.importProblem('$argon2id$garbage'), 'invalid');
    assert.equal(h.importProblem(VECTORS[1][1]), null);
    assert.equal(await h.verify('test', '$2a$16$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL6'), false);
  });
});

describe('hasher: generation and rehash policy', () => {
  test('argon2id with the configured parameters; needsRehash only for other algorithms/params', async () => {
    const h = hasher();
    const encoded = await h.hash('correct horse');
    assert.match(encoded, /^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.equal(await h.verify('correct horse', encoded), true);
    assert.equal(h.needsRehash(encoded), false);
    assert.equal(h.needsRehash(VECTORS[0][1]), true);
    assert.equal(h.needsRehash(VECTORS[1][1]), true);
    assert.equal(h.needsRehash(VECTORS[2][1]), true);
  });

  test('OWASP defaults when nothing is configured: 19 MiB, t=2, p=1', async () => {
    const values = referenceConfig();
    delete values.hashers;
    const h = new Hasher(Config.load({ values: { ...values, dsn: 'memory' }, env: {} }));
    assert.match(await h.hash('x'), /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  test('bcrypt when configured: $2a$ with the configured cost, > 72 bytes refused', async () => {
    const h = hasher({ hashers: { algorithm: 'bcrypt', bcrypt: { cost: 4 } } });
    const encoded = await h.hash('pw');
    assert.match(encoded, /^\$2a\$04\$/);
    assert.equal(await h.verify('pw', encoded), true);
    assert.equal(h.needsRehash(encoded), false);
    assert.equal(h.needsRehash(VECTORS[0][1]), true);
    assert.equal(h.maxPasswordBytes, 72);
    await assert.rejects(h.hash('x'.repeat(73)), /at most 72 characters long, but got 73/);
    assert.equal(await h.verify('x'.repeat(73), await h.hash('x'.repeat(72))), false);
  });

  test('outside dev mode a bcrypt cost below 12 is raised to 12, as in Kratos', async () => {
    const h = hasher({ dev: false, hashers: { algorithm: 'bcrypt', bcrypt: { cost: 4 } } });
    assert.equal(h.bcryptCost, 12);
    assert.equal(h.needsRehash('$2a$04$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL6'), true);
    assert.equal(h.needsRehash(VECTORS[0][1]), false);
    assert.equal(hasher({ hashers: { algorithm: 'bcrypt', bcrypt: { cost: 4 } } }).bcryptCost, 4);
  });

  test('burn does the work of one hash at the configured cost (watched, not timed)', async () => {
    const h = hasher({ hashers: { argon2: { memory: '8MiB', iterations: 2, parallelism: 1 } } });
    const made: string[] = [];
    const hash = h.hash.bind(h);
    h.hash = async (pw: string) => {
      const out = await hash(pw);
      made.push(out);
      return out;
    };
    await h.burn('unknown-user-password');
    assert.equal(made.length, 1);
    assert.match(made[0], /^\$argon2id\$v=19\$m=8192,t=2,p=1\$/);
    assert.equal(await h.verify('unknown-user-password', made[0]), true, 'a real hash of the password, not a stub');
  });

  test('hashing leaves the event loop idle (event-loop utilization, compared with hashing on the loop)', async () => {
    const { hashSync } = await import('@node-rs/argon2');
    const h = hasher({ hashers: { argon2: { memory: '19MiB', iterations: 2, parallelism: 1 } } });
    const b = hasher({ hashers: { algorithm: 'bcrypt', bcrypt: { cost: 10 } } });
    // ELU is the share of time the loop was busy rather than waiting for I/O; a loaded machine delays
    // timers but does not make a waiting loop busy, so this holds on a shared 2-core box.
    async function utilization(work: () => Promise<unknown>): Promise<number> {
      const start = performance.eventLoopUtilization();
      await work();
      return performance.eventLoopUtilization(start).utilization;
    }
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const offLoop = await utilization(() => Promise.all([...Array.from({ length: 8 }, () => h.hash('pw')), ...Array.from({ length: 4 }, () => b.hash('pw'))]));
    clearInterval(timer);
    const onLoop = await utilization(async () => {
      for (let i = 0; i < 4; i++) {
        hashSync('pw', { memoryCost: 19456, timeCost: 2, parallelism: 1 });
        await new Promise((r) => setImmediate(r));
      }
    });
    assert.ok(ticks >= 10, `timers starved: ${ticks} ticks`);
    assert.ok(offLoop < 0.5, `event loop busy ${(offLoop * 100).toFixed(0)}% while hashing`);
    assert.ok(onLoop > 0.8, `control: hashing on the loop should keep it busy (${(onLoop * 100).toFixed(0)}%)`);
  });
});
