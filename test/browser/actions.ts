import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';

export const PASSWORD = 'correct horse battery staple 42';

export function newEmail(): string {
  return `user-${randomBytes(4).toString('hex')}@example.org`;
}

/** Registers through the UI, as a person would, and returns on the welcome page. */
export async function register(page: Page, base: string, email: string): Promise<void> {
  await page.goto(`${base}/ui/registration`);
  assert.match(page.url(), /\/ui\/registration\?flow=/);
  await page.getByLabel('Your E-Mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Your website').fill('https://www.example.org/me');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(`${base}/ui/welcome`);
}

/** Signs in through the UI; leaves the page wherever the server sent it. */
export async function login(page: Page, base: string, email: string, password = PASSWORD, query = ''): Promise<void> {
  await page.goto(`${base}/ui/login${query}`);
  assert.match(page.url(), /\/ui\/login\?flow=/);
  await page.getByLabel('Your E-Mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('load');
}

export async function sessionCookie(ctx: BrowserContext): Promise<string | undefined> {
  return (await ctx.cookies()).find((c) => c.name === 'ory_kratos_session')?.value;
}

export async function whoamiStatus(base: string, cookieValue: string): Promise<number> {
  const res = await fetch(`${base}/sessions/whoami`, { headers: { cookie: `ory_kratos_session=${cookieValue}`, accept: 'application/json' } });
  await res.arrayBuffer();
  return res.status;
}
