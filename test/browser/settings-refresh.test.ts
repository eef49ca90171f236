import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { forEachBackend } from '../helpers/harness.js';
import { startUiApp, type UiTestApp } from './app.js';
import { axeViolations, browserSkip, launch, newContext, PHONE_UA } from './browser.js';
import { PASSWORD, newEmail, register } from './actions.js';

const skip = browserSkip();
const NEW_PASSWORD = 'a different horse battery staple 7';

async function assertAccessible(page: Page, what: string): Promise<void> {
  const found = await axeViolations(page);
  const summary = found.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`);
  assert.deepEqual(summary, [], `${what}: ${page.url()}`);
}

const passwordForm = (page: Page) => page.getByTestId('settings-password');

forEachBackend('the settings page re-authenticates an old session in Chromium', (backend) => {
  let t: UiTestApp;
  let browser: Browser;
  before(async () => {
    if (skip) return;
    t = await startUiApp(backend);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  test('an old session confirms it is you before the password changes, then lands back on settings', { skip }, async () => {
    const base = t.publicURL;
    const ctx = await newContext(browser, { userAgent: PHONE_UA, phone: true });
    const page = await ctx.newPage();
    const email = newEmail();
    await register(page, base, email);
    // Age the session past privileged_session_max_age (15m in this config).
    const cookie = (await ctx.cookies()).find((c) => c.name === 'ory_kratos_session');
    assert.ok(cookie);
    const me = await (await fetch(`${base}/sessions/whoami`, { headers: { cookie: `ory_kratos_session=${cookie.value}` } })).json();
    const stored = await t.app.registry.persister.sessions.getSession(me.id);
    assert.ok(stored);
    stored.authenticatedAt = new Date(Date.now() - 20 * 60_000);
    await t.app.registry.persister.sessions.updateSession(stored);

    await page.goto(`${base}/ui/settings`);
    await passwordForm(page).getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await passwordForm(page).getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/ui\/login\?flow=/);
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await assertAccessible(page, 'refresh login');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/ui\/settings\?flow=/);
    await passwordForm(page).getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await passwordForm(page).getByRole('button', { name: 'Save' }).click();
    await page.getByText('Your changes have been saved!').waitFor();
    await assertAccessible(page, 'settings saved (phone)');
    assert.deepEqual(ctx.problems, []);
    await ctx.close();
  });

  test('signed out, the settings page sends the browser to sign in', { skip }, async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(`${t.publicURL}/ui/settings`);
    await page.waitForURL(/\/ui\/login\?flow=/);
    await ctx.close();
  });
});
