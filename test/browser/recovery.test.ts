import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/harness.js';
import { uiConfig } from './app.js';
import { axeViolations, browserSkip, launch, newContext } from './browser.js';
import { newEmail, register, sessionCookie, whoamiStatus } from './actions.js';

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
      cfg.selfservice.flows.recovery = { enabled: true, ui_url: `${pub}/ui/recovery` };
      return cfg;
    },
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await t?.close();
});

test('register, log out, "Forgot password?", code from the dev mailbox: a new session on the way to settings', { skip }, async () => {
  const base = t.publicURL;
  const email = newEmail();
  const first = await newContext(browser);
  const page1 = await first.newPage();
  await register(page1, base, email);
  await first.close();

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
  // The settings flow is not in this branch: the person is on its init endpoint with a fresh session.
  await page.waitForURL((u) => u.href.startsWith(`${base}/self-service/settings/browser`));
  const cookie = await sessionCookie(ctx);
  assert.ok(cookie);
  assert.equal(await whoamiStatus(base, cookie), 200);
  await ctx.close();
});
