import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/load.js';
import { embeddedDefaults } from '../../src/cmd/defaults.js';
import { EMAIL_SCHEMA_URL } from '../helpers/harness.js';

const minimal = {
  dsn: 'memory',
  selfservice: { default_browser_return_url: 'http://localhost:4455/' },
  identity: { schemas: [{ id: 'default', url: EMAIL_SCHEMA_URL }] },
};

describe('settings configuration', () => {
  test('Kratos defaults: fallback UI, 1h lifespan, 1h privileged age, highest_available, no hooks', () => {
    const c = Config.load({ values: minimal, env: {} });
    assert.equal(c.flowUIURL('settings').href, 'https://www.ory.com/kratos/docs/fallback/settings');
    assert.equal(c.flowLifespanMs('settings'), 3600_000);
    assert.equal(c.privilegedSessionMaxAgeMs, 3600_000);
    assert.equal(c.settingsRequiredAAL, 'highest_available');
    assert.equal(c.profileMethodEnabled, true);
    assert.deepEqual(c.flowHooks('settings', 'after', 'password'), []);
  });

  test('the settings keys and revoke_active_sessions lists are known keys (no warning)', () => {
    const values = {
      ...minimal,
      secrets: { default: ['a-secret-of-at-least-16-chars'] },
      selfservice: {
        ...minimal.selfservice,
        flows: {
          settings: {
            ui_url: 'http://localhost:4455/settings',
            lifespan: '30m',
            privileged_session_max_age: '5m',
            required_aal: 'aal1',
            after: { default_browser_return_url: 'http://localhost:4455/', password: { hooks: [{ hook: 'revoke_active_sessions' }] }, profile: { hooks: [] } },
          },
          login: { after: { hooks: [{ hook: 'revoke_active_sessions' }] } },
        },
        methods: { profile: { enabled: false } },
      },
    };
    const c = Config.load({ values, env: {} });
    assert.deepEqual(c.warnings, []);
    assert.equal(c.privilegedSessionMaxAgeMs, 5 * 60_000);
    assert.equal(c.profileMethodEnabled, false);
    assert.deepEqual(c.flowHooks('settings', 'after', 'password'), [{ hook: 'revoke_active_sessions' }]);
    assert.deepEqual(c.flowHooks('login', 'after'), [{ hook: 'revoke_active_sessions' }]);
  });

  test('a bad privileged_session_max_age stops start-up', () => {
    const values = { ...minimal, selfservice: { ...minimal.selfservice, flows: { settings: { privileged_session_max_age: 'soon' } } } };
    assert.throws(() => Config.load({ values, env: {} }), ConfigError);
  });

  test('npm start: settings UI, 15m privileged age, revoke_active_sessions after a password change', () => {
    const c = Config.load({ values: embeddedDefaults(join(mkdtempSync(join(tmpdir(), 'porta-defaults-')), 'data')), env: {} });
    assert.equal(c.flowUIURL('settings').href, 'http://127.0.0.1:4433/ui/settings');
    assert.equal(c.privilegedSessionMaxAgeMs, 15 * 60_000);
    assert.deepEqual(c.flowHooks('settings', 'after', 'password'), [{ hook: 'revoke_active_sessions' }]);
    assert.deepEqual(c.flowHooks('settings', 'after', 'profile'), []);
  });

  test('npm start: recovery on with the code method, its UI, revoke_active_sessions after recovery', () => {
    const c = Config.load({ values: embeddedDefaults(join(mkdtempSync(join(tmpdir(), 'porta-defaults-')), 'data')), env: {} });
    assert.equal(c.recoveryEnabled, true);
    assert.equal(c.get('selfservice.flows.recovery.use'), 'code');
    assert.equal(c.codeMethod.enabled, true);
    assert.equal(c.flowUIURL('recovery').href, 'http://127.0.0.1:4433/ui/recovery');
    assert.deepEqual(c.flowHooks('recovery', 'after'), [{ hook: 'revoke_active_sessions' }]);
    // The settings password hook is unchanged.
    assert.deepEqual(c.flowHooks('settings', 'after', 'password'), [{ hook: 'revoke_active_sessions' }]);
  });
});
