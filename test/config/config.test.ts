import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/load.js';
import { parseDuration } from '../../src/config/duration.js';
import { EMAIL_SCHEMA_URL } from '../helpers/harness.js';

const minimal = {
  dsn: 'memory',
  selfservice: { default_browser_return_url: 'http://localhost:4455/' },
  identity: { schemas: [{ id: 'default', url: EMAIL_SCHEMA_URL }] },
};

describe('configuration', () => {
  test('Kratos defaults fill every implemented key', () => {
    const c = Config.load({ values: minimal, env: {} });
    assert.equal(c.sessionLifespanMs, 24 * 3600_000);
    assert.equal(c.sessionEarliestPossibleExtendMs, c.sessionLifespanMs);
    assert.equal(c.flowLifespanMs('login'), 3600_000);
    assert.deepEqual(c.sessionCookie, { name: 'ory_kratos_session', path: '/', domain: undefined, sameSite: 'Lax', secure: true, persistent: true });
    assert.equal(c.errorUIURL.href, 'https://www.ory.com/kratos/docs/fallback/error');
    assert.equal(c.logoutRedirectURL.href, 'http://localhost:4455/');
    assert.equal(c.hasherAlgorithm, 'argon2');
    assert.equal(c.argon2.memoryKiB, 19 * 1024);
    assert.equal(c.whoamiRequiredAAL, 'highest_available');
    assert.equal(c.publicListen.port, 4433);
    assert.equal(c.adminListen.port, 4434);
  });

  test('the hot-path cookie settings and secrets are one stable object each (per-settings caches key on them)', () => {
    const c = Config.load({ values: { ...minimal, dev: true }, env: {} });
    assert.equal(c.sessionCookie, c.sessionCookie);
    assert.equal(c.csrfCookie, c.csrfCookie);
    assert.equal(c.cookieSecrets, c.cookieSecrets);
    // With no secrets configured, dev mode's generated secret is the one every read returns.
    assert.equal(c.cookieSecrets.length, 1);
    assert.ok(c.cookieSecrets[0].length >= 32);
  });

  test('session cookie settings fall back to cookies.* as Kratos does, Secure follows dev', () => {
    const c = Config.load({ values: { ...minimal, dev: true, cookies: { path: '/cookie', domain: 'cookie.com', same_site: 'Strict' } }, env: {} });
    assert.deepEqual(c.sessionCookie, { name: 'ory_kratos_session', path: '/cookie', domain: 'cookie.com', sameSite: 'Strict', secure: false, persistent: true });
    const s = Config.load({
      values: { ...minimal, cookies: { path: '/cookie' }, session: { cookie: { path: '/session', domain: 'session.com', same_site: 'None', secure: 'true' } } },
      env: {},
    });
    assert.deepEqual(s.sessionCookie, { name: 'ory_kratos_session', path: '/session', domain: 'session.com', sameSite: 'None', secure: true, persistent: true });
  });

  test('logout redirect falls back to the global default when unset or empty', () => {
    const set = Config.load({ values: { ...minimal, selfservice: { ...minimal.selfservice, flows: { logout: { after: { default_browser_return_url: 'http://test.kratos.ory.sh:4000/' } } } } }, env: {} });
    assert.equal(set.logoutRedirectURL.href, 'http://test.kratos.ory.sh:4000/');
    const empty = Config.load({ values: { ...minimal, selfservice: { ...minimal.selfservice, flows: { logout: { after: { default_browser_return_url: '' } } } } }, env: {} });
    assert.equal(empty.logoutRedirectURL.href, 'http://localhost:4455/');
  });

  test('environment variables override keys the Kratos way', () => {
    const c = Config.load({
      values: minimal,
      env: {
        SERVE_PUBLIC_PORT: '5533',
        SESSION_LIFESPAN: '1h',
        SELFSERVICE_DEFAULT_BROWSER_RETURN_URL: 'https://app.example.com/',
        SELFSERVICE_ALLOWED_RETURN_URLS: 'https://a.example.com,https://b.example.com',
        DEV: 'true',
        DSN: 'sqlite:///tmp/x.db',
      },
    });
    assert.equal(c.publicListen.port, 5533);
    assert.equal(c.sessionLifespanMs, 3600_000);
    assert.equal(c.defaultBrowserReturnURL.href, 'https://app.example.com/');
    assert.deepEqual(c.allowedReturnURLs, ['https://a.example.com', 'https://b.example.com']);
    assert.equal(c.dev, true);
    assert.equal(c.dsn, 'sqlite:///tmp/x.db');
  });

  test('a wrong type or value stops start-up with a message naming the key', () => {
    assert.throws(() => Config.load({ values: { ...minimal, session: { lifespan: 'forever' } }, env: {} }), (e: Error) => e instanceof ConfigError && /session\.lifespan/.test(e.message));
    assert.throws(() => Config.load({ values: { ...minimal, serve: { public: { port: 'x' } } }, env: {} }), /serve\.public\.port/);
    assert.throws(() => Config.load({ values: { ...minimal, cookies: { same_site: 'Sometimes' } }, env: {} }), /cookies\.same_site/);
    assert.throws(() => Config.load({ values: { ...minimal, selfservice: { default_browser_return_url: 'not a url' } }, env: {} }), /selfservice\.default_browser_return_url/);
    assert.throws(() => Config.load({ values: { ...minimal, identity: { default_schema_id: 'nope', schemas: minimal.identity.schemas } }, env: {} }), /identity\.default_schema_id/);
  });

  test('porta.admin.api_keys: empty by default, from the file or the environment, redacted in validation messages', () => {
    assert.deepEqual(Config.load({ values: minimal, env: {} }).adminApiKeys, []);
    const key = 'admin-key-0123456789abcdef';
    assert.deepEqual(Config.load({ values: { ...minimal, porta: { admin: { api_keys: [key] } } }, env: {} }).adminApiKeys, [key]);
    assert.deepEqual(Config.load({ values: minimal, env: { PORTA_ADMIN_API_KEYS: `${key},${key}-2` } }).adminApiKeys, [key, `${key}-2`]);
    for (const keys of [['short-key'], [`${key} with spaces`], key]) {
      assert.throws(
        () => Config.load({ values: { ...minimal, porta: { admin: { api_keys: keys } } }, env: {} }),
        (e: Error) => /porta\.admin\.api_keys/.test(e.message) && !e.message.includes('short-key') && !e.message.includes(key),
      );
    }
    assert.throws(
      () => Config.load({ values: { ...minimal, porta: { admin: [key] } }, env: {} }),
      (e: Error) => /porta\.admin/.test(e.message) && !e.message.includes(key),
    );
  });

  test('the admin server defaults to loopback; a non-loopback host is warned about once', () => {
    const unset = Config.load({ values: { ...minimal, dev: true }, env: {} });
    assert.deepEqual(unset.adminListen, { host: '127.0.0.1', port: 4434 });
    assert.equal(unset.adminBaseURL.href, 'http://127.0.0.1:4434/');
    assert.equal(unset.warnings.filter((w) => w.includes('serve.admin.host')).length, 0);
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) {
      assert.equal(Config.load({ values: { ...minimal, serve: { admin: { host } } }, env: {} }).warnings.filter((w) => w.includes('serve.admin.host')).length, 0, host);
    }
    assert.equal(Config.load({ values: { ...minimal, serve: { admin: { host: '::1' } } }, env: {} }).adminBaseURL.host, '[::1]:4434');
    for (const host of ['0.0.0.0', '::', '192.0.2.2', 'admin.internal']) {
      const c = Config.load({ values: { ...minimal, serve: { admin: { host } } }, env: {} });
      assert.equal(c.adminListen.host, host);
      assert.equal(c.warnings.filter((w) => w.includes('serve.admin.host')).length, 1, host);
    }
  });

  test('secrets never appear in a validation message', () => {
    assert.throws(
      () => Config.load({ values: { ...minimal, secrets: { default: ['short-secret'] } }, env: {} }),
      (e: Error) => /secrets\.default/.test(e.message) && !e.message.includes('short-secret'),
    );
  });

  test('a bad courier.smtp.connection_uri stops start-up naming the key, never echoing the URI (it may hold a password)', () => {
    for (const uri of ['ftp://user:hunter2-pass@mail', 'smtp://user:hunter2-pass@[bad']) {
      const c = () => Config.load({ values: { ...minimal, courier: { smtp: { connection_uri: uri } } }, env: {} }).courier;
      assert.throws(c, (e: Error) => e instanceof ConfigError && e.message.includes('courier.smtp.connection_uri') && !e.message.includes('hunter2'), uri);
    }
  });

  test('unimplemented Kratos keys give one warning each and never fail', () => {
    const c = Config.load({
      // The courier itself is implemented now; its SMS channels and TOTP are not.
      values: {
        ...minimal,
        courier: { smtp: { connection_uri: 'smtp://x' }, channels: [{ id: 'sms', type: 'http' }] },
        selfservice: { ...minimal.selfservice, methods: { totp: { enabled: true } } },
      },
      env: {},
    });
    assert.ok(c.warnings.includes('config key "courier.channels" is not implemented by Porta and is ignored'));
    assert.ok(c.warnings.includes('config key "selfservice.methods.totp" is not implemented by Porta and is ignored'), c.warnings.join('\n'));
    assert.equal(c.warnings.filter((w) => w.includes('courier')).length, 1);
  });

  test('YAML and JSON files load, and a broken file is a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'porta-config-'));
    const yaml = join(dir, 'kratos.yml');
    writeFileSync(yaml, `dsn: memory\nselfservice:\n  default_browser_return_url: http://localhost:4455/\nidentity:\n  schemas:\n    - id: default\n      url: ${EMAIL_SCHEMA_URL}\nsession:\n  lifespan: 2h\n`);
    assert.equal(Config.load({ file: yaml, env: {} }).sessionLifespanMs, 2 * 3600_000);
    const json = join(dir, 'kratos.json');
    writeFileSync(json, JSON.stringify({ ...minimal, session: { lifespan: '3h' } }));
    assert.equal(Config.load({ file: json, env: {} }).sessionLifespanMs, 3 * 3600_000);
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'dsn: [unclosed');
    assert.throws(() => Config.load({ file: bad, env: {} }), /unable to parse config file/);
  });

  test('Go durations', () => {
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.throws(() => parseDuration('1d'));
    assert.throws(() => parseDuration(''));
  });
});
