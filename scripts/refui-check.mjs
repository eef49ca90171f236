#!/usr/bin/env node
// Drives Kratos's reference UI (kratos-selfservice-ui-node) against Porta in Chromium, as a person would:
// registration -> verification (code from the mail) -> logout -> recovery ("Forgot password?", code from
// the mail) -> settings (new password, profile change) -> logout -> old password fails, new one works.
//
//   node scripts/refui-check.mjs <path-to-reference-ui-tree> [--keep] [--screenshots] [--dsn=postgres://...]
//
// The tree must be installed and built (`npm ci && npm run build` in it). Porta comes from this checkout's
// dist/ (`npm run build`). Everything runs on 127.0.0.1: a real SMTP server in this process receives
// Porta's mail, Porta (`serve --watch-courier`, SQLite in a temp dir) and the reference UI are spawned,
// and Chromium (PORTA_CHROMIUM, default /usr/bin/chromium) is driven with playwright-core. It prints
// PASS/FAIL per step, saves a screenshot and the HTML of the page of a failed step under
// test-artifacts/refui/, and exits non-zero when a step failed. `--keep` leaves the servers running
// after the run (Ctrl-C ends them), to look around by hand; `--screenshots` saves the page after every step. Not part of `npm test`: CI has no copy of
// the reference UI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { SCHEMA, children, cleanup, codeFromMail, freePort, logs, portaConfig, start, startSink, state, waitHttp } from './refui-check/servers.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts', 'refui');
const CHROMIUM = process.env.PORTA_CHROMIUM ?? '/usr/bin/chromium';
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const screenshots = args.includes('--screenshots');
// --dsn=postgres://... runs Porta on that (empty or Porta) database instead of a SQLite file; it is migrated first.
const dsnArg = args.find((a) => a.startsWith('--dsn='))?.slice('--dsn='.length);
const tree = args.find((a) => !a.startsWith('--'));
if (!tree) {
  console.error('usage: node scripts/refui-check.mjs <path-to-reference-ui-tree> [--keep] [--screenshots] [--dsn=postgres://...]');
  process.exit(2);
}
const UI_TREE = resolve(tree);
const UI_MAIN = join(UI_TREE, 'lib', 'index.js');
if (!existsSync(UI_MAIN)) {
  console.error(`${UI_MAIN} not found: run \`npm ci && npm run build\` in ${UI_TREE} first`);
  process.exit(2);
}
if (!existsSync(join(ROOT, 'dist', 'app.js'))) {
  console.error('dist/ not found: run `npm run build` in this checkout first');
  process.exit(2);
}

const PASSWORD = 'refui first horse battery 41';
const NEW_PASSWORD = 'refui recovered staple 97 zebra';
const EMAIL = `refui-${Date.now().toString(36)}@example.org`;
const STEP_TIMEOUT = 20_000;
const PRIVILEGED_SECONDS = 30;
const PRIVILEGED_AGE = `${PRIVILEGED_SECONDS}s`;
const THIRD_PASSWORD = 'refui third passphrase 55 otter';

// ---------------------------------------------------------------------------------------------------
// Steps

const results = [];
let page;
async function step(name, fn) {
  process.stdout.write(`${name} ... `);
  try {
    await fn();
    results.push({ name, ok: true });
    console.log('PASS');
    if (screenshots && page) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `${String(results.length).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true });
    }
  } catch (err) {
    results.push({ name, ok: false });
    console.log('FAIL');
    console.log(`  ${String(err?.stack ?? err).split('\n').slice(0, 6).join('\n  ')}`);
    if (page) {
      mkdirSync(ARTIFACTS, { recursive: true });
      const base = join(ARTIFACTS, name.replace(/[^a-z0-9]+/gi, '-'));
      console.log(`  at ${page.url()}; screenshot ${base}.png`);
      await page.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => {});
      writeFileSync(`${base}.html`, await page.content().catch(() => ''));
      for (const [who, out] of Object.entries(logs)) writeFileSync(join(ARTIFACTS, `${who.replace(/ /g, '-')}.log`), out());
      console.log(`  logs of porta and the reference UI in ${ARTIFACTS}`);
    }
    throw new StopError();
  }
}
class StopError extends Error {}

function check(cond, message) {
  if (!cond) throw new Error(message);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'porta-refui-'));
  const sink = await startSink();
  const [pub, adm, uiPort] = [await freePort(), await freePort(), await freePort()];
  const PUBLIC = `http://127.0.0.1:${pub}`;
  const ADMIN = `http://127.0.0.1:${adm}`;
  const UI = `http://127.0.0.1:${uiPort}`;
  writeFileSync(join(dir, 'identity.schema.json'), JSON.stringify(SCHEMA));
  writeFileSync(join(dir, 'porta.json'), JSON.stringify(portaConfig({ dir, dsn: dsnArg, pub, adm, ui: UI, smtp: sink.port, privilegedAge: PRIVILEGED_AGE })));

  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DSN|DEV|SERVE|SELFSERVICE|SESSION|COOKIES|SECRETS|IDENTITY|HASHERS|LOG|COURIER|PORTA)(_|$)/.test(k)));
  if (dsnArg) {
    const migrate = spawnSync(process.execPath, [join(ROOT, 'bin', 'porta.js'), 'migrate', 'sql', dsnArg, '--yes'], { env, encoding: 'utf8' });
    if (migrate.status !== 0) throw new Error(`porta migrate sql failed:\n${migrate.stdout}${migrate.stderr}`);
  }
  const porta = start('porta', process.execPath, [join(ROOT, 'bin', 'porta.js'), 'serve', '-c', join(dir, 'porta.json'), '--watch-courier'], { cwd: dir, env });
  const ui = start('reference UI', process.execPath, [UI_MAIN], {
    cwd: UI_TREE,
    env: {
      ...env,
      NODE_ENV: 'production',
      PORT: String(uiPort),
      KRATOS_PUBLIC_URL: `${PUBLIC}/`,
      KRATOS_BROWSER_URL: `${PUBLIC}/`,
      KRATOS_ADMIN_URL: `${ADMIN}/`,
      COOKIE_SECRET: 'refui-cookie-secret-0123456789',
      CSRF_COOKIE_NAME: 'refui_csrf',
      CSRF_COOKIE_SECRET: 'refui-csrf-secret-0123456789',
      DANGEROUSLY_DISABLE_SECURE_CSRF_COOKIES: 'true',
    },
  });
  await waitHttp(`${PUBLIC}/health/ready`, porta, 'porta');
  await waitHttp(`${UI}/health/alive`, ui, 'reference UI');
  console.log(`porta ${PUBLIC} (admin ${ADMIN}), reference UI ${UI}, SMTP sink 127.0.0.1:${sink.port}, user ${EMAIL}`);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  ctx.setDefaultTimeout(STEP_TIMEOUT);
  // This machine may have no network: anything not on loopback (fonts, CDNs) is refused at once.
  await ctx.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort());
  page = await ctx.newPage();

  const whoami = async () => {
    const cookie = (await ctx.cookies(PUBLIC)).map((c) => `${c.name}=${c.value}`).join('; ');
    const res = await fetch(`${PUBLIC}/sessions/whoami`, { headers: { cookie, accept: 'application/json' } });
    return { status: res.status, body: await res.json() };
  };
  const identity = async () => {
    const res = await fetch(`${ADMIN}/admin/identities?credentials_identifier=${encodeURIComponent(EMAIL)}`);
    const list = await res.json();
    check(list.length === 1, `admin API lists ${list.length} identities for ${EMAIL}`);
    return list[0];
  };
  const submit = (method) => page.locator(`button[name="method"][value="${method}"]`).first().click();
  const atUI = (path) => page.waitForURL((u) => u.origin === UI && u.pathname === path);
  const expectText = (re) => page.getByText(re).first().waitFor();
  const logout = async () => {
    await page.goto(`${UI}/welcome`);
    await page.locator('[data-testid="logout"] a').first().click();
    await atUI('/login');
    const me = await whoami();
    check(me.status === 401, `whoami answers ${me.status} after logout`);
  };
  const loginWith = async (password) => {
    await page.goto(`${UI}/login`);
    await atUI('/login');
    await page.locator('input[name="identifier"]').fill(EMAIL);
    await page.locator('input[name="password"]').fill(password);
    await submit('password');
  };

  try {
    let mailsSeen = sink.mails.length;
    await step('registration', async () => {
      await page.goto(`${UI}/registration`);
      await atUI('/registration');
      await page.locator('input[name="traits.email"]').fill(EMAIL);
      await page.locator('input[name="password"]').fill(PASSWORD);
      await page.locator('input[name="traits.name.first"]').fill('Ada');
      await page.locator('input[name="traits.name.last"]').fill('Lovelace');
      await submit('password');
      // show_verification_ui: the browser lands on the verification page of the flow registration started.
      await atUI('/verification');
      const me = await whoami();
      check(me.status === 200, `whoami answers ${me.status} after registration`);
      check(me.body.identity.traits.email === EMAIL, 'the session is the new identity');
    });

    await step('verification (code from the email)', async () => {
      const code = await codeFromMail(sink, EMAIL, mailsSeen, STEP_TIMEOUT);
      mailsSeen = sink.mails.length;
      await page.locator('input[name="code"]').fill(code);
      await submit('code');
      await expectText(/successfully verified/i);
      const addr = (await identity()).verifiable_addresses.find((a) => a.value === EMAIL);
      check(addr?.verified === true && addr.status === 'completed', `address not verified: ${JSON.stringify(addr)}`);
    });

    await step('logout', logout);

    await step('recovery ("Forgot password?", code from the email)', async () => {
      await page.goto(`${UI}/login`);
      await atUI('/login');
      await page.getByText(/forgot password/i).first().click();
      await atUI('/recovery');
      await page.locator('input[name="email"]').fill(EMAIL);
      await submit('code');
      await page.locator('input[name="code"]').waitFor();
      const code = await codeFromMail(sink, EMAIL, mailsSeen, STEP_TIMEOUT);
      mailsSeen = sink.mails.length;
      await page.locator('input[name="code"]').fill(code);
      await submit('code');
      // A recovered person continues in a settings flow, with a privileged session.
      await atUI('/settings');
      const me = await whoami();
      check(me.status === 200, `whoami answers ${me.status} after recovery`);
    });

    await step('settings: new password', async () => {
      await page.locator('input[name="password"]').fill(NEW_PASSWORD);
      await submit('password');
      await atUI('/settings');
      await expectText(/your changes have been saved/i);
    });

    await step('settings: profile change', async () => {
      await page.locator('input[name="traits.name.first"]').fill('Augusta');
      await submit('profile');
      await atUI('/settings');
      await expectText(/your changes have been saved/i);
      const me = await whoami();
      check(me.body.identity.traits.name?.first === 'Augusta', `traits after the change: ${JSON.stringify(me.body.identity.traits)}`);
      check(me.body.identity.traits.email === EMAIL, 'the address is unchanged');
    });

    await step('logout again', logout);

    await step('login with the old password fails', async () => {
      await loginWith(PASSWORD);
      await atUI('/login');
      await expectText(/credentials are invalid/i);
      check((await whoami()).status === 401, 'no session after a failed login');
    });

    await step('login with the new password', async () => {
      await loginWith(NEW_PASSWORD);
      await atUI('/welcome');
      const me = await whoami();
      check(me.status === 200 && me.body.identity.traits.email === EMAIL, `whoami answers ${me.status} after login`);
    });

    await step(`settings after ${PRIVILEGED_AGE}: re-authenticate, then a new password`, async () => {
      const { body } = await whoami();
      const wait = Date.parse(body.authenticated_at) + PRIVILEGED_SECONDS * 1000 + 1000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await page.goto(`${UI}/settings`);
      await atUI('/settings');
      await page.locator('input[name="password"]').fill(THIRD_PASSWORD);
      await submit('password');
      // Porta sends the browser to a refresh login that returns to the same settings flow.
      await atUI('/login');
      check(new URL(page.url()).searchParams.has('flow'), 'the login UI got a flow');
      await page.locator('input[name="password"]').fill(NEW_PASSWORD);
      await submit('password');
      await atUI('/settings');
      await page.locator('input[name="password"]').fill(THIRD_PASSWORD);
      await submit('password');
      await atUI('/settings');
      await expectText(/your changes have been saved/i);
      const me = await whoami();
      check(Date.parse(me.body.authenticated_at) > Date.parse(body.authenticated_at), 'the session was re-authenticated');
    });
  } catch (err) {
    if (!(err instanceof StopError)) throw err;
  }

  const failed = results.filter((r) => !r.ok).length;
  const total = 10;
  console.log(`\n${results.filter((r) => r.ok).length}/${total} steps passed${failed || results.length < total ? '' : ' - all PASS'}`);
  if (keep) {
    console.log(`servers kept running: reference UI ${UI}, porta ${PUBLIC}; Ctrl-C ends them`);
    await new Promise(() => {});
  }
  state.shuttingDown = true;
  await browser.close();
  await sink.close();
  // Porta and the UI finish their requests and close the database before the temp dir goes.
  const exited = children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r))));
  cleanup();
  await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 10_000))]);
  rmSync(dir, { recursive: true, force: true });
  process.exit(results.length === total && failed === 0 ? 0 : 1);
}

main().catch((err) => {
  state.shuttingDown = true;
  console.error(err);
  process.exit(1);
});
