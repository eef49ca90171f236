import { Config } from '../../src/config/config.js';

/**
 * A dev-mode Config for unit tests of one setting: in-memory database, an empty identity schema, cheap
 * argon2, no environment overrides; `over` replaces top-level keys.
 */
export function devConfig(over: Record<string, unknown> = {}): Config {
  return Config.load({
    values: {
      dev: true,
      dsn: 'memory',
      selfservice: { default_browser_return_url: 'http://localhost:4455/' },
      identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: 'base64://e30' }] },
      secrets: { default: ['porta-test-secret-0123456789abcdef'] },
      hashers: { argon2: { memory: '64KiB', iterations: 1, parallelism: 1 } },
      ...over,
    },
    env: {},
  });
}
