import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.PORTA_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);

/** These machines refuse Chromium's background connections, so every one of them is switched off. */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Whether the browser suites can run. With CI=true a missing Chromium is a failure (the suite runs and
 * its launch throws); only outside CI is it a skip.
 */
export function browserSkip(): string | false {
  if (existsSync(CHROMIUM) || process.env.CI === 'true') return false;
  return `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
}

/** Headless Chromium on a fresh temporary profile (Playwright creates and removes the user-data dir). */
export function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is required (CI=true) but ${CHROMIUM} does not exist`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

export const PHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
export const DESKTOP_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

/** A context that records CSP violations and page errors, so a page that breaks its own policy fails. */
export async function newContext(browser: Browser, opts: { userAgent?: string; phone?: boolean } = {}): Promise<BrowserContext & { problems: string[] }> {
  const ctx = (await browser.newContext({
    userAgent: opts.userAgent ?? DESKTOP_UA,
    viewport: opts.phone ? { width: 390, height: 844 } : { width: 1000, height: 760 },
  })) as BrowserContext & { problems: string[] };
  ctx.problems = [];
  ctx.on('page', (p) => watch(p, ctx.problems));
  // Allowed return URLs outside the test server are answered locally: these machines have no network.
  await ctx.route('https://www.example.org/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><html lang="en"><title>Example</title><h1>Example Domain</h1></html>' }),
  );
  return ctx;
}

function watch(page: Page, problems: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, which the page's CSP does not
 * govern) and returns the serious and critical violations.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  })) as { violations: AxeViolation[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
