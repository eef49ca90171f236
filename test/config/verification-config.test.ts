import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Config } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/load.js';

/** Verification's configuration: defaults, and the refusal to start without SMTP outside dev mode. */

const base = {
  dsn: 'memory',
  selfservice: { default_browser_return_url: 'http://localhost:4455/' },
  identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: 'file:///dev/null' }] },
};
const withVerification = (extra: Record<string, unknown> = {}) => ({
  ...base,
  ...extra,
  selfservice: { ...base.selfservice, flows: { verification: { enabled: true } } },
});

describe('verification config', () => {
  test('defaults: disabled, code lifespan 1h, 5 submissions, send throttle 5 / 100 per hour', () => {
    const c = Config.load({ values: base, env: {} });
    assert.equal(c.verificationEnabled, false);
    assert.deepEqual(c.codeMethod, { enabled: true, lifespanMs: 3_600_000, maxSubmissions: 5 });
    assert.deepEqual(c.sendThrottle, { perRecipient: 5, perIp: 100, windowMs: 3_600_000 });
    assert.deepEqual(c.warnings.filter((w) => /send_throttle|verification|methods\.code/.test(w)), []);
  });

  test('outside dev mode, verification without courier.smtp.connection_uri stops start-up naming the key', () => {
    assert.throws(() => Config.load({ values: withVerification(), env: {} }), (e: Error) => e instanceof ConfigError && e.message.includes('courier.smtp.connection_uri'));
    assert.equal(Config.load({ values: withVerification({ dev: true }), env: {} }).verificationEnabled, true);
    assert.equal(Config.load({ values: withVerification({ courier: { smtp: { connection_uri: 'smtp://127.0.0.1:25/' } } }), env: {} }).verificationEnabled, true);
  });
});
