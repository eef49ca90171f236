import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { Config } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/load.js';
import { EMAIL_SCHEMA_URL } from '../helpers/harness.js';

// porta.session_events start-up checks (hooks-and-session-events-spec §C.4.2): a receiver that can never
// work stops start-up naming the key, and no secret is ever printed.
const base = (sessionEvents: unknown, dev = false) => ({
  dsn: 'memory',
  dev,
  serve: { public: { base_url: 'https://auth.example.test/' } },
  selfservice: { default_browser_return_url: 'http://localhost:4455/' },
  identity: { schemas: [{ id: 'default', url: EMAIL_SCHEMA_URL }] },
  porta: { session_events: sessionEvents },
});
const load = (sessionEvents: unknown, dev = false) => Config.load({ values: base(sessionEvents, dev), env: {} });
const rejects = (sessionEvents: unknown, key: RegExp, dev = false) =>
  assert.throws(
    () => load(sessionEvents, dev),
    (err: Error) => err instanceof ConfigError && key.test(err.message) && !/s3cret|c2VjcmV0|Bearer abc/.test(err.message),
  );
const jwks = (bits: number, extra: Record<string, unknown> = {}) => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return `base64://${Buffer.from(JSON.stringify({ keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'k', ...extra }] })).toString('base64')}`;
};
const caep = { id: 'gw', url: 'https://gw.example/push', format: 'caep_set', audience: 'https://gw.example' };

describe('porta.session_events configuration', () => {
  test('no receivers: the feature is off; defaults as documented', () => {
    const c = load(undefined);
    assert.deepEqual(c.sessionEvents.receivers, []);
    assert.equal(c.sessionEvents.set, undefined);
    assert.deepEqual(c.sessionEvents.delivery, { timeoutMs: 10_000, initialIntervalMs: 5_000, multiplier: 2, maxIntervalMs: 600_000, maxAgeMs: 72 * 3600_000, pollIntervalMs: 1_000 });
  });

  test('reasons filter which receivers an event goes to', () => {
    const c = load({ receivers: [{ id: 'all', url: 'https://a.example/' }, { id: 'del', url: 'https://b.example/', reasons: ['identity_deleted'] }] });
    assert.deepEqual(c.sessionEvents.receiversFor('self_service_logout'), ['all']);
    assert.deepEqual(c.sessionEvents.receiversFor('identity_deleted'), ['all', 'del']);
  });

  test('start-up errors name the key and never print a secret', () => {
    rejects({ receivers: [{ id: 'a', url: 'https://a.example/' }, { id: 'a', url: 'https://b.example/' }] }, /porta\.session_events\.receivers" has the id "a" twice/);
    rejects({ receivers: [{ id: 'Bad Id', url: 'https://a.example/' }] }, /porta\.session_events\.receivers\.0\.id/);
    rejects({ receivers: [{ id: 'a', url: 'ftp://a.example/' }] }, /receivers\.0\.url" must be an http\(s\) URL/);
    rejects({ receivers: [{ ...caep, audience: undefined }] }, /receivers\.0\.audience" is required/);
    rejects({ receivers: [{ ...caep, auth: { type: 'api_key', config: { name: 'X', value: 's3cret' } } }], set: { signing_keys: jwks(2048) } }, /receivers\.0\.auth"/);
    rejects({ receivers: [{ ...caep, signing_secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0' }], set: { signing_keys: jwks(2048) } }, /receivers\.0\.signing_secret"/);
    rejects({ receivers: [{ id: 'a', url: 'https://a.example/', authorization_header: 'Bearer abc' }] }, /receivers\.0\.authorization_header"/);
    rejects({ receivers: [{ id: 'a', url: 'https://a.example/', signing_secret: 'whsec_' }] }, /receivers\.0\.signing_secret"/);
    rejects({ receivers: [caep] }, /set\.signing_keys" is required/);
    rejects({ receivers: [caep], set: { signing_keys: 'file:///nonexistent/ssf.json' } }, /set\.signing_keys" could not be read/);
    rejects({ receivers: [caep], set: { signing_keys: jwks(1024) } }, /at least 2048 bits/);
    rejects({ receivers: [caep], set: { signing_keys: jwks(2048, { kid: undefined }) } }, /without "kid"/);
    rejects({ receivers: [caep], set: { signing_keys: jwks(2048, { alg: 'PS256' }) } }, /must be RS256/);
    rejects({ receivers: [{ id: 'a', url: 'https://a.example/', headers: { x: 1 } }] }, /porta\.session_events\.receivers\.0\.headers/);
  });

  test('caep_set: issuer defaults to the public base URL; dev generates an ephemeral key with a warning', () => {
    const c = load({ receivers: [caep] }, true);
    assert.equal(c.sessionEvents.set?.issuer, 'https://auth.example.test');
    assert.equal(c.sessionEvents.set?.keys.length, 1);
    assert.equal(c.sessionEvents.set?.keys[0].alg, 'RS256');
    assert.equal(c.sessionEvents.set?.keys[0].publicJwk.d, undefined);
    assert.ok(c.warnings.some((w) => w.includes('porta.session_events.set.signing_keys') && w.includes('ephemeral')));
  });

  test('an http:// receiver outside dev mode is allowed with a warning', () => {
    const c = load({ receivers: [{ id: 'a', url: 'http://a.example/' }] });
    assert.ok(c.warnings.some((w) => w.includes('porta.session_events.receivers.0.url')));
  });
});
