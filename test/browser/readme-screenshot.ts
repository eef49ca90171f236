// Regenerates docs/account-page.png for the README: `node --import tsx test/browser/readme-screenshot.ts`.
import { fileURLToPath } from 'node:url';
import { startUiApp } from './app.js';
import { launch, newContext, PHONE_UA } from './browser.js';
import { login, register } from './actions.js';

const out = fileURLToPath(new URL('../../docs/account-page.png', import.meta.url));
const t = await startUiApp('sqlite');
const browser = await launch();
try {
  const email = 'ada.lovelace@example.org';
  const phone = await newContext(browser, { userAgent: PHONE_UA, phone: true });
  const ctx = await browser.newContext({ viewport: { width: 900, height: 700 }, deviceScaleFactor: 2 });
  const page = await ctx.newPage();
  await register(page, t.publicURL, email);
  await login(await phone.newPage(), t.publicURL, email);
  await page.goto(`${t.publicURL}/ui/welcome`);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await t.close();
}
