import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { forEachBackend } from '../helpers/harness.js';
import { startUiApp, type UiTestApp } from './app.js';
import { axeViolations, browserSkip, launch, newContext, screenshot } from './browser.js';
import { PASSWORD, login, newEmail, register } from './actions.js';

const skip = browserSkip();
const NEW_PASSWORD = 'a different horse battery staple 7';

async function assertAccessible(page: Page, what: string): Promise<void> {
  const found = await axeViolations(page);
  const summary = found.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`);
  assert.deepEqual(summary, [], `${what}: ${page.url()}`);
}

const passwordForm = (page: Page) => page.getByTestId('settings-password');
const profileForm = (page: Page) => page.getByTestId('settings-profile');

forEachBackend('the settings page in Chromium', (backend) => {
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

  test('change the password from the account page, log in with the new one; the old one fails', { skip }, async () => {
    const base = t.publicURL;
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const email = newEmail();
    await register(page, base, email);
    await page.getByRole('link', { name: 'Account settings' }).click();
    await page.waitForURL(/\/ui\/settings\?flow=/);
    await assertAccessible(page, 'settings');
    assert.equal(await profileForm(page).getByLabel('Your E-Mail').inputValue(), email);

    // A policy error is shown on the field, tied to it, with focus on it.
    await passwordForm(page).getByLabel('Password', { exact: true }).fill('short');
    await passwordForm(page).getByRole('button', { name: 'Save' }).click();
    await page.waitForLoadState('load');
    const field = passwordForm(page).getByLabel('Password', { exact: true });
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await assertAccessible(page, 'settings with errors');

    await field.fill(NEW_PASSWORD);
    await passwordForm(page).getByRole('button', { name: 'Save' }).click();
    await page.getByText('Your changes have been saved!').waitFor();
    assert.match(page.url(), /\/ui\/settings\?flow=/);
    await screenshot(page, `settings-saved-${backend}`);

    await page.goto(`${base}/ui/welcome`);
    await page.getByRole('link', { name: 'Log out' }).click();
    await page.waitForURL(/\/ui\/login\?flow=/);
    await login(page, base, email, PASSWORD);
    assert.match(page.url(), /\/ui\/login\?flow=/, 'the old password is refused');
    await login(page, base, email, NEW_PASSWORD);
    assert.equal(page.url(), `${base}/ui/welcome`);
    assert.deepEqual(ctx.problems, []);
    await ctx.close();
  });

});
