import { fileURLToPath } from 'node:url';

export const EMAIL_SCHEMA_URL = `file://${fileURLToPath(new URL('../fixtures/identity.email.schema.json', import.meta.url))}`;
export const TEST_SECRET = 'porta-test-secret-0123456789abcdef';

/**
 * Kratos's reference environment (kratos-logout-spec.md §5): public http://localhost:4433, admin
 * http://localhost:4434, UI at http://localhost:4455. Cheap argon2 so tests stay fast.
 */
export function referenceConfig(publicURL = 'http://localhost:4433/', adminURL = 'http://localhost:4434/'): Record<string, any> {
  return {
    dev: true,
    serve: { public: { base_url: publicURL }, admin: { base_url: adminURL } },
    selfservice: {
      default_browser_return_url: 'http://localhost:4455/',
      allowed_return_urls: ['http://localhost:4455', 'https://www.ory.sh/', 'https://www.example.org/', 'https://*.example.com/'],
      flows: {
        logout: { after: { default_browser_return_url: 'http://localhost:4455/login' } },
        error: { ui_url: 'http://localhost:4455/error' },
        login: { ui_url: 'http://localhost:4455/login' },
        registration: { ui_url: 'http://localhost:4455/registration', after: { password: { hooks: [{ hook: 'session' }] } } },
      },
    },
    session: { lifespan: '24h' },
    identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: EMAIL_SCHEMA_URL }] },
    secrets: { default: [TEST_SECRET] },
    hashers: { argon2: { memory: '64KiB', iterations: 1, parallelism: 1, expected_duration: '10ms', expected_deviation: '5ms' } },
    porta: { ui: { enabled: false } },
  };
}
