import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { forEachBackend } from '../helpers/harness.js';
import { startUiApp, type UiTestApp } from './app.js';
import { axeViolations, browserSkip, launch, newContext, screenshot, PHONE_UA } from './browser.js';
import { login, newEmail, register } from './actions.js';

const skip = browserSkip();

/** Fails with a readable list when axe finds any serious or critical violation on the page. */
async function assertAccessible(page: Page, what: string): Promise<void> {
  const found = await axeViolations(page);
  const summary = found.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`);
  assert.deepEqual(summary, [], `${what}: ${page.url()}`);
}

forEachBackend('every UI page passes axe-core (no serious or critical violation)', (backend) => {
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

  test('the checker itself fails on an inaccessible page', { skip }, async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.setContent('<html><body><input type="text" name="q"><img src="/x.png"><button></button></body></html>');
    const ids = (await axeViolations(page)).map((v) => v.id).sort();
    assert.ok(ids.includes('label') && ids.includes('image-alt') && ids.includes('button-name'), ids.join(','));
    await ctx.close();
  });

  test('sign-in, sign-up, account, devices, error and not-found pages, on desktop and phone', { skip }, async () => {
    const base = t.publicURL;
    for (const phone of [false, true]) {
      const ctx = await newContext(browser, phone ? { userAgent: PHONE_UA, phone } : {});
      const page = await ctx.newPage();
      const checked: string[] = [];
      const check = async (what: string) => {
        await assertAccessible(page, `${what}${phone ? ' (phone)' : ''}`);
        checked.push(what);
      };

      await page.goto(`${base}/ui/login`);
      await check('login');
      await page.goto(`${base}/ui/registration`);
      await check('registration');

      // Registration with errors on several fields: messages must stay tied to their inputs.
      const email = newEmail();
      await page.getByLabel('Your E-Mail').fill(email);
      await page.getByLabel('Password', { exact: true }).fill('short');
      await page.getByLabel('Your website').fill('https://x.y');
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.waitForLoadState('load');
      assert.match(page.url(), /\/ui\/registration\?flow=/);
      const password = page.getByLabel('Password', { exact: true });
      assert.equal(await password.getAttribute('aria-invalid'), 'true');
      const describedBy = (await password.getAttribute('aria-describedby')) ?? '';
      assert.match(await page.locator(`[id="${describedBy.split(' ')[0]}"]`).innerText(), /at least 8 characters/);
      assert.ok(await password.evaluate((el) => el === document.activeElement), 'focus is on the first field to fix');
      await check('registration with errors');
      await screenshot(page, `registration-errors-${backend}${phone ? '-phone' : ''}`);

      await register(page, base, email);
      await check('welcome');

      const other = await newContext(browser);
      await login(await other.newPage(), base, email);
      await page.goto(`${base}/ui/sessions`);
      await page.getByRole('button', { name: 'Revoke' }).waitFor();
      await check('sessions');
      await page.getByRole('button', { name: 'Revoke' }).click();
      await page.waitForURL(/notice=revoked/);
      await check('sessions after revoke');
      await other.close();

      await page.goto(`${base}/ui/login?flow=not-a-flow`);
      await page.goto(`${base}/ui/error?id=stub:500`);
      await check('error');
      await page.goto(`${base}/ui/nope`);
      await check('not found');

      await page.goto(`${base}/ui/welcome`);
      await page.getByRole('link', { name: 'Log out' }).click();
      await page.waitForURL(/\/ui\/login\?flow=/);
      await login(page, base, email, 'wrong password!');
      await check('login with error');

      assert.equal(checked.length, 9);
      assert.deepEqual(ctx.problems, []);
      await ctx.close();
    }
  });
});
