import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Config } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/load.js';
import { EMAIL_SCHEMA_URL } from '../helpers/harness.js';

const minimal = {
  dsn: 'memory',
  selfservice: { default_browser_return_url: 'http://localhost:4455/' },
  identity: { schemas: [{ id: 'default', url: EMAIL_SCHEMA_URL }] },
};

test('recovery keys: Kratos defaults, implemented without warnings; `use: link` stops start-up naming the key', () => {
  const d = Config.load({ values: minimal, env: {} });
  assert.equal(d.recoveryEnabled, false);
  assert.equal(d.recoveryNotifyUnknownRecipients, false);
  assert.equal(d.flowLifespanMs('recovery'), 3600_000);
  assert.equal(d.flowUIURL('recovery').href, 'https://www.ory.com/kratos/docs/fallback/recovery');
  assert.deepEqual(d.codeMethod, { enabled: true, lifespanMs: 3600_000, maxSubmissions: 5 });

  // Outside dev mode recovery needs SMTP (Porta never pretends to send).
  const smtp = { courier: { smtp: { connection_uri: 'smtp://127.0.0.1:2525/' } } };
  const values = {
    ...minimal,
    ...smtp,
    selfservice: {
      ...minimal.selfservice,
      flows: { recovery: { enabled: true, use: 'code', lifespan: '15m', notify_unknown_recipients: true, after: { default_browser_return_url: 'http://localhost:4455/x' } } },
      methods: { code: { enabled: true, config: { lifespan: '10m', max_submissions: 3 } } },
    },
  };
  const c = Config.load({ values, env: {} });
  assert.equal(c.recoveryEnabled, true);
  assert.equal(c.flowLifespanMs('recovery'), 900_000);
  assert.deepEqual(c.codeMethod, { enabled: true, lifespanMs: 600_000, maxSubmissions: 3 });
  assert.deepEqual(c.warnings.filter((w) => /recovery|methods\.code/.test(w)), []);

  const link = { ...minimal, ...smtp, selfservice: { ...minimal.selfservice, flows: { recovery: { enabled: true, use: 'link' } } } };
  assert.throws(() => Config.load({ values: link, env: {} }), (e: Error) => e instanceof ConfigError && /selfservice\.flows\.recovery\.use/.test(e.message));
});
