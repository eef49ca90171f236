import { referenceConfig, startApp, type Backend, type TestApp } from '../helpers/harness.js';

/**
 * Porta configured the way `npm start` serves it: the built-in UI on, and every UI URL of the config
 * pointing at it. The config depends on the public URL, so the ports are picked first.
 */
export function uiConfig(publicURL: string, adminURL: string): Record<string, any> {
  const cfg = referenceConfig(`${publicURL}/`, `${adminURL}/`);
  const ui = `${publicURL}/ui`;
  cfg.selfservice.default_browser_return_url = `${ui}/welcome`;
  cfg.selfservice.allowed_return_urls = [ui, 'https://www.example.org/'];
  cfg.selfservice.flows.login.ui_url = `${ui}/login`;
  cfg.selfservice.flows.registration.ui_url = `${ui}/registration`;
  cfg.selfservice.flows.error.ui_url = `${ui}/error`;
  cfg.selfservice.flows.settings = { ui_url: `${ui}/settings`, privileged_session_max_age: '15m' };
  cfg.selfservice.flows.logout.after.default_browser_return_url = `${ui}/login`;
  cfg.porta = { ui: { enabled: true } };
  return cfg;
}

export type UiTestApp = TestApp;

/** A full Porta on a fresh database, listening on loopback, with the UI config above. */
export function startUiApp(backend: Backend): Promise<UiTestApp> {
  return startApp({ backend, listen: true, baseConfig: uiConfig });
}
