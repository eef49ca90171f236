import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { forEachBackend } from '../helpers/harness.js';
import { startUiApp, type UiTestApp } from './app.js';
import { browserSkip, launch, newContext, screenshot, PHONE_UA } from './browser.js';
import { PASSWORD, login, newEmail, register, sessionCookie, whoamiStatus } from './actions.js';

const skip = browserSkip();

forEachBackend('the life of a session in Chromium', (backend) => {
  let t: UiTestApp;
  let browser: Browser;
  let base = '';
  before(async () => {
    if (skip) return;
    t = await startUiApp(backend);
    base = t.publicURL;
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });
  const shot = (page: Parameters<typeof screenshot>[0], name: string) => screenshot(page, `${name}-${backend}`);

  test('register, see the account, log out: cookie gone and the old cookie is dead', { skip }, async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const email = newEmail();
    await register(page, base, email);
    await assert.doesNotReject(page.getByTestId('identity-name').getByText(email, { exact: true }).waitFor());
    const old = await sessionCookie(ctx);
    assert.ok(old, 'registration set the session cookie');
    assert.equal(await whoamiStatus(base, old), 200);

    await page.getByRole('link', { name: 'Log out' }).click();
    await page.waitForURL(/\/ui\/login\?flow=/);
    assert.equal(await sessionCookie(ctx), undefined, 'the session cookie is gone');
    assert.equal(await whoamiStatus(base, old), 401, 'the old cookie, replayed, is refused');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.deepEqual(ctx.problems, []);
    await shot(page, 'register-logout');
    await ctx.close();
  });

  test('log out from the account page opened with return_to ends on that URL', { skip }, async () => {
    const email = newEmail();
    const setup = await newContext(browser);
    await register(await setup.newPage(), base, email);
    await setup.close();

    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await login(page, base, email);
    assert.equal(page.url(), `${base}/ui/welcome`);
    await page.goto(`${base}/ui/welcome?return_to=${encodeURIComponent('https://www.example.org/')}`);
    const href = await page.getByRole('link', { name: 'Log out' }).getAttribute('href');
    assert.match(href ?? '', /\/self-service\/logout\?return_to=https%3A%2F%2Fwww\.example\.org%2F&token=ory_lo_/);
    await page.getByRole('link', { name: 'Log out' }).click();
    await page.waitForURL('https://www.example.org/');
    assert.equal(await sessionCookie(ctx), undefined);
    assert.deepEqual(ctx.problems, []);
    await shot(page, 'logout-return-to');
    await ctx.close();
  });

  test('signing in with an allowed return_to on another origin lands there (the CSP lets the redirect through)', { skip }, async () => {
    const email = newEmail();
    const setup = await newContext(browser);
    await register(await setup.newPage(), base, email);
    await setup.close();
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await login(page, base, email, PASSWORD, `?return_to=${encodeURIComponent('https://www.example.org/app')}`);
    await page.waitForURL('https://www.example.org/app');
    assert.ok(await sessionCookie(ctx), 'signed in');
    await shot(page, 'login-return-to');
    await ctx.close();
  });

  test('a device revoked from the sessions page is signed out; "Log out everywhere else" signs out all others', { skip }, async () => {
    const email = newEmail();
    const a = await newContext(browser);
    const pa = await a.newPage();
    await register(pa, base, email);
    const b = await newContext(browser, { userAgent: PHONE_UA, phone: true });
    const pb = await b.newPage();
    await login(pb, base, email);
    assert.equal(pb.url(), `${base}/ui/welcome`);

    await pa.goto(`${base}/ui/sessions`);
    await pa.getByText('This device').waitFor();
    const revoke = pa.getByRole('button', { name: 'Revoke' });
    assert.equal(await revoke.count(), 1, 'exactly one other device');
    await pa.getByRole('heading', { name: /Safari on iOS/ }).waitFor();
    await revoke.click();
    await pa.waitForURL(`${base}/ui/sessions?notice=revoked`);
    await pa.getByText('The device was signed out.').waitFor();
    assert.equal(await pa.getByRole('button', { name: 'Revoke' }).count(), 0);

    await pb.goto(`${base}/ui/welcome`);
    await pb.waitForURL(/\/ui\/login\?flow=/);
    await pb.getByRole('heading', { name: 'Sign in' }).waitFor();

    // Two more devices, then one button for all of them.
    const c = await newContext(browser);
    const pc = await c.newPage();
    await login(pc, base, email);
    await login(pb, base, email);
    assert.equal(pb.url(), `${base}/ui/welcome`);
    await pa.goto(`${base}/ui/sessions`);
    assert.equal(await pa.getByRole('button', { name: 'Revoke' }).count(), 2);
    await pa.getByRole('button', { name: 'Log out everywhere else' }).click();
    await pa.waitForURL(`${base}/ui/sessions?notice=revoked-all`);
    assert.equal(await pa.getByRole('button', { name: 'Revoke' }).count(), 0);
    for (const p of [pb, pc]) {
      await p.goto(`${base}/ui/sessions`);
      await p.waitForURL(/\/ui\/login\?flow=/);
    }
    await pa.goto(`${base}/ui/sessions`);
    assert.equal(pa.url(), `${base}/ui/sessions`, 'this device stays signed in');
    await pa.getByText('No other device is signed in.').waitFor();
    for (const ctx of [a, b, c]) assert.deepEqual(ctx.problems, []);
    await shot(pa, 'revoke-devices');
    await shot(pb, 'revoked-device');
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  test('a wrong password shows the server message next to the form', { skip }, async () => {
    const email = newEmail();
    const setup = await newContext(browser);
    await register(await setup.newPage(), base, email);
    await setup.close();
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await login(page, base, email, `${PASSWORD}-wrong`);
    assert.match(page.url(), /\/ui\/login\?flow=/);
    const alert = page.getByRole('alert');
    await alert.getByText('The provided credentials are invalid', { exact: false }).waitFor();
    assert.equal(await page.getByTestId('ui/message/4000006').count(), 1);
    assert.equal(await page.getByLabel('Your E-Mail').inputValue(), email, 'the identifier is kept');
    assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'the password is not');
    assert.equal(await sessionCookie(ctx), undefined);
    await shot(page, 'wrong-password');
    await ctx.close();
  });

  test('a tampered return_to shows the error page instead of redirecting', { skip }, async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const evil = encodeURIComponent('https://evil.example/steal');
    await page.goto(`${base}/ui/login?return_to=${evil}`);
    assert.ok(page.url().startsWith(`${base}/ui/error?id=`), page.url());
    await page.getByRole('heading', { name: 'That link is not allowed' }).waitFor();

    await register(page, base, newEmail());
    const res = await page.goto(`${base}/ui/welcome?return_to=${evil}`);
    assert.equal(res?.status(), 400);
    assert.equal(page.url(), `${base}/ui/welcome?return_to=${evil}`);
    await page.getByRole('heading', { name: 'That link is not allowed' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Log out' }).count(), 0);
    assert.deepEqual(ctx.problems, []);
    await shot(page, 'tampered-return-to');
    await ctx.close();
  });

  test('Back after logout does not show the account page from cache', { skip }, async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const email = newEmail();
    await register(page, base, email);
    const welcome = await page.request.get(`${base}/ui/welcome`);
    assert.equal(welcome.headers()['cache-control'], 'no-store');
    await page.getByRole('link', { name: 'Log out' }).click();
    await page.waitForURL(/\/ui\/login\?flow=/);
    await page.goBack();
    await page.waitForLoadState('load');
    assert.match(page.url(), /\/ui\/login/);
    assert.equal(await page.getByText(email).count(), 0, 'the account page is not shown');
    await shot(page, 'back-after-logout');
    await ctx.close();
  });
});
