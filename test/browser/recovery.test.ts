import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/harness.js';
import { uiConfig } from './app.js';
import { axeViolations, browserSkip, launch, newContext } from './browser.js';
import { PASSWORD, login, newEmail, register, sessionCookie, whoamiStatus } from './actions.js';

const skip = browserSkip();

async function assertAccessible(page: Page, what: string): Promise<void> {
  const found = await axeViolations(page);
  assert.deepEqual(found.map((v) => `${v.impact} ${v.id}`), [], `${what}: ${page.url()}`);
}

/** The newest code mailed to `to`, from the dev-mode courier list (the dev mailbox). */
async function codeFor(t: TestApp, to: string): Promise<string> {
  const res = await fetch(`${t.adminURL}/admin/courier/messages?recipient=${encodeURIComponent(to)}`);
  const list = (await res.json()) as Array<{ body: string; template_type: string }>;
  const mail = list.find((m) => m.template_type === 'recovery_code_valid');
  const m = mail && /\b(\d{6})\b/.exec(mail.body);
  assert.ok(m, 'a recovery code was queued');
  return m[1];
}

let t: TestApp;
let browser: Browser;
before(async () => {
  if (skip) return;
  t = await startApp({
    listen: true,
    baseConfig: (pub, adm) => {
      const cfg = uiConfig(pub, adm);
      // As `npm start` configures it: the sessions from before a recovery end with it.
      cfg.selfservice.flows.recovery = { enabled: true, ui_url: `${pub}/ui/recovery`, after: { hooks: [{ hook: 'revoke_active_sessions' }] } };
      return cfg;
    },
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await t?.close();
});

const NEW_PASSWORD = 'a recovered horse battery staple 9';

test('register, log out, "Forgot password?", code from the courier, new password on the settings page; other sessions end', { skip }, async () => {
  const base = t.publicURL;
  const email = newEmail();
  const first = await newContext(browser);
  const page1 = await first.newPage();
  await register(page1, base, email);
  await page1.getByRole('link', { name: 'Log out' }).click();
  await page1.waitForURL(/\/ui\/login\?flow=/);
  assert.equal(await sessionCookie(first), undefined);
  await first.close();

  // Another browser, signed in before the recovery: its session must not survive it.
  const other = await newContext(browser);
  const otherPage = await other.newPage();
  await login(otherPage, base, email);
  assert.equal(otherPage.url(), `${base}/ui/welcome`);
  const otherCookie = await sessionCookie(other);
  assert.ok(otherCookie);
  assert.equal(await whoamiStatus(base, otherCookie), 200);

  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await page.goto(`${base}/ui/login`);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page.waitForURL(/\/ui\/recovery\?flow=/);
  await assertAccessible(page, 'recovery: address');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/ui\/recovery\?flow=/);
  await page.getByLabel('Recovery code').waitFor();
  await assertAccessible(page, 'recovery: code');

  await page.getByLabel('Recovery code').fill(await codeFor(t, email));
  await page.getByRole('button', { name: 'Continue' }).click();
  // Recovery hands over to a new settings flow: the settings page, a fresh (privileged) session.
  await page.waitForURL(/\/ui\/settings\?flow=/);
  await page.getByText('You successfully recovered your account.', { exact: false }).waitFor();
  await assertAccessible(page, 'settings after recovery');
  const cookie = await sessionCookie(ctx);
  assert.ok(cookie);
  const whoami = (await (await fetch(`${base}/sessions/whoami`, { headers: { cookie: `ory_kratos_session=${cookie}` } })).json()) as any;
  assert.equal(whoami.authentication_methods[0].method, 'code_recovery');
  assert.equal(await whoamiStatus(base, otherCookie), 401, 'the session from before the recovery is over');

  // Privileged: the new password is accepted without signing in again.
  const passwordForm = page.getByTestId('settings-password');
  await passwordForm.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await passwordForm.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Your changes have been saved!').waitFor();
  assert.match(page.url(), /\/ui\/settings\?flow=/);
  await assertAccessible(page, 'settings saved after recovery');

  await page.goto(`${base}/ui/welcome`);
  await page.getByRole('link', { name: 'Log out' }).click();
  await page.waitForURL(/\/ui\/login\?flow=/);
  await login(page, base, email, PASSWORD);
  assert.match(page.url(), /\/ui\/login\?flow=/, 'the old password is refused');
  await login(page, base, email, NEW_PASSWORD);
  assert.equal(page.url(), `${base}/ui/welcome`);
  assert.deepEqual(ctx.problems, []);
  await ctx.close();
  await other.close();
});
