import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import pino from 'pino';
import { forEachBackend, startApp, type Backend, type TestApp } from '../helpers/harness.js';
import { createCourierWorker } from '../../src/cmd/serve.js';
import type { CourierWorker } from '../../src/courier/worker.js';
import { uiConfig } from './app.js';
import { axeViolations, browserSkip, launch, newContext } from './browser.js';
import { newEmail, PASSWORD } from './actions.js';

const skip = browserSkip();

async function assertAccessible(page: Page, what: string): Promise<void> {
  const found = await axeViolations(page);
  const summary = found.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`);
  assert.deepEqual(summary, [], `${what}: ${page.url()}`);
}

/** Porta as `npm start` configures verification: the code method, its UI page, and the hook after registration. */
function verifyingApp(backend: Backend): Promise<TestApp> {
  return startApp({
    backend,
    listen: true,
    baseConfig: (pub, adm) => {
      const cfg = uiConfig(pub, adm);
      cfg.selfservice.flows.verification = { enabled: true, use: 'code', ui_url: `${pub}/ui/verification` };
      cfg.selfservice.flows.registration.after = { password: { hooks: [{ hook: 'session' }, { hook: 'show_verification_ui' }] } };
      return cfg;
    },
  });
}

async function signUp(page: Page, base: string, email: string): Promise<void> {
  await page.goto(`${base}/ui/registration`);
  await page.getByLabel('Your E-Mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Your website').fill('https://www.example.org/me');
  await page.getByRole('button', { name: 'Sign up' }).click();
}

/**
 * The dev mailbox page, reloaded until the courier worker has delivered every message to `to` (status
 * `sent`); returns the code of the newest one and how many there are.
 */
async function readMailbox(page: Page, base: string, to: string, count: number): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    await page.goto(`${base}/ui/dev/mailbox`);
    const mine = page.getByTestId('mailbox-message').filter({ has: page.getByTestId('mailbox-recipient').getByText(to, { exact: true }) });
    const statuses = await mine.getByTestId('mailbox-status').allTextContents();
    if (statuses.length === count && statuses.every((s) => s === 'sent')) {
      const body = await mine.first().getByTestId('mailbox-body').textContent();
      const m = /\b(\d{6})\b/.exec(body ?? '');
      assert.ok(m, `a six-digit code in the newest message: ${body}`);
      return m[1];
    }
    assert.ok(attempt < 100, `the mailbox never showed ${count} sent message(s) to ${to}: ${statuses.join(',')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

forEachBackend('verification in the built-in UI, with the dev mailbox', (backend) => {
  let t: TestApp;
  let worker: CourierWorker;
  let browser: Browser;
  before(async () => {
    if (skip) return;
    t = await verifyingApp(backend);
    // The worker `npm start` runs: dev mode without SMTP, so it delivers to the dev mailbox.
    worker = createCourierWorker(t.config, t.app.registry.persister, t.app.registry.courier.templates, pino({ level: 'silent' }));
    worker.start();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await worker?.stop();
    await t?.close();
  });

  test('register → verification page → code from the dev mailbox (wrong code, resend) → account shows "Verified"', { skip }, async () => {
    const base = t.publicURL;
    const email = newEmail();
    const ctx = await newContext(browser);
    const page = await ctx.newPage();

    await signUp(page, base, email);
    await page.waitForURL(/\/ui\/verification\?flow=/);
    const flowURL = page.url();
    await page.getByRole('heading', { level: 1, name: 'Verify your email address' }).waitFor();
    await page.getByTestId('ui/message/1080003').waitFor();
    await assertAccessible(page, 'verification: code sent');

    // Resend: a second message to the same address; the page stays on the code step.
    await page.getByRole('button', { name: 'Resend code' }).click();
    await page.waitForURL(/\/ui\/verification\?flow=/);
    await page.getByLabel('Verification code').waitFor();
    await page.getByRole('link', { name: 'dev mailbox' }).click();
    await page.waitForURL(`${base}/ui/dev/mailbox`);
    const code = await readMailbox(page, base, email, 2);
    await assertAccessible(page, 'dev mailbox');

    // A wrong code is answered with Kratos's message, on the same page.
    await page.goto(flowURL);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await page.getByLabel('Verification code').fill(wrong);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/ui\/verification\?flow=/);
    await page.getByTestId('ui/message/4070006').waitFor();
    await assertAccessible(page, 'verification: wrong code');

    await page.getByLabel('Verification code').fill(code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Address verified' }).waitFor();
    await page.getByTestId('ui/message/1080002').waitFor();
    await assertAccessible(page, 'verification: passed');

    await page.getByTestId('verification-continue').click();
    await page.waitForURL(`${base}/ui/welcome`);
    const row = page.getByTestId('verifiable-address').filter({ hasText: email });
    assert.equal(await row.getByTestId('address-status').textContent(), 'Verified');
    assert.equal(await row.getByRole('link', { name: /Verify/ }).count(), 0);
    await assertAccessible(page, 'account: verified');
    assert.deepEqual(ctx.problems, []);
    await ctx.close();
  });

  test('an unverified address on the account page: "Verify" opens the page with the address filled in', { skip }, async () => {
    const base = t.publicURL;
    const email = newEmail();
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signUp(page, base, email);
    await page.waitForURL(/\/ui\/verification\?flow=/);

    await page.goto(`${base}/ui/welcome`);
    const row = page.getByTestId('verifiable-address').filter({ hasText: email });
    assert.equal(await row.getByTestId('address-status').textContent(), 'Not verified');
    await assertAccessible(page, 'account: not verified');
    await row.getByRole('link', { name: `Verify ${email}` }).click();
    await page.waitForURL(/\/ui\/verification\?flow=[^&]+&email=/);
    assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), email);
    await assertAccessible(page, 'verification: choose the address');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Verification code').waitFor();
    const codeStep = page.url();
    // The registration's message plus this one.
    const code = await readMailbox(page, base, email, 2);
    await page.goto(codeStep);
    await page.getByLabel('Verification code').fill(code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Address verified' }).waitFor();
    await page.goto(`${base}/ui/welcome`);
    assert.equal(await page.getByTestId('verifiable-address').filter({ hasText: email }).getByTestId('address-status').textContent(), 'Verified');
    assert.deepEqual(ctx.problems, []);
    await ctx.close();
  });
});
