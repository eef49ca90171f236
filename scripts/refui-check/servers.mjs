// Servers for scripts/refui-check.mjs: spawned children (Porta, the reference UI), an SMTP sink, Porta's config.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export const children = [];
export const logs = {};
export const state = { shuttingDown: false };
export function cleanup() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

export async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

export function start(name, cmd, argv, opts) {
  const child = spawn(cmd, argv, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  logs[name] = () => out;
  child.on('exit', (code, signal) => {
    if (!state.shuttingDown) console.error(`${name} exited (${code ?? signal}):\n${out.slice(-4000)}`);
  });
  return { child, output: () => out };
}

export async function waitHttp(url, proc, what) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${what} exited:\n${proc.output()}`);
    try {
      const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready at ${url}:\n${proc.output()}`);
}

/** A real SMTP server on loopback that keeps every mail, parsed. */
export async function startSink() {
  const mails = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, cb) {
      simpleParser(stream).then((m) => {
        mails.push(m);
        cb();
      }, cb);
    },
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { port, mails, close: () => new Promise((r) => server.close(r)) };
}

/** The 6-digit code of the newest mail to `to` whose subject matches, waiting for it to arrive. */
export async function codeFromMail(sink, to, seen, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const mail = sink.mails.find((m, i) => i >= seen && m.to?.value.some((a) => a.address === to));
    const code = mail && /\b(\d{6})\b/.exec(mail.text ?? '');
    if (code) return code[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail with a code reached ${to} (${sink.mails.length} mail(s) in the sink)`);
}

// Kratos's quickstart identity schema, in our own words: an email that is the password identifier and is
// verified and recovered by email, and a name.
export const SCHEMA = {
  $id: 'https://porta.example/refui.schema.json',
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Person',
  type: 'object',
  properties: {
    traits: {
      type: 'object',
      properties: {
        email: {
          type: 'string',
          format: 'email',
          title: 'E-Mail',
          'ory.sh/kratos': {
            credentials: { password: { identifier: true } },
            verification: { via: 'email' },
            recovery: { via: 'email' },
          },
        },
        name: {
          type: 'object',
          properties: { first: { type: 'string', title: 'First Name' }, last: { type: 'string', title: 'Last Name' } },
        },
      },
      required: ['email'],
      additionalProperties: false,
    },
  },
};

/** Porta's config: the reference UI's URLs for every flow, verification and recovery by code, SMTP to the sink. */
export function portaConfig({ dir, dsn, pub, adm, ui, smtp, privilegedAge }) {
  return {
    dev: true,
    dsn: dsn ?? `sqlite://${join(dir, 'porta.sqlite')}?_fk=true`,
    log: { level: 'info', format: 'text' },
    serve: {
      public: { base_url: `http://127.0.0.1:${pub}/`, host: '127.0.0.1', port: pub },
      admin: { base_url: `http://127.0.0.1:${adm}/`, host: '127.0.0.1', port: adm },
    },
    selfservice: {
      default_browser_return_url: `${ui}/welcome`,
      allowed_return_urls: [ui],
      methods: { password: { enabled: true }, profile: { enabled: true }, code: { enabled: true } },
      flows: {
        error: { ui_url: `${ui}/error` },
        login: { ui_url: `${ui}/login` },
        registration: {
          ui_url: `${ui}/registration`,
          after: { password: { hooks: [{ hook: 'session' }, { hook: 'show_verification_ui' }] } },
        },
        verification: { enabled: true, use: 'code', ui_url: `${ui}/verification` },
        recovery: { enabled: true, use: 'code', ui_url: `${ui}/recovery` },
        // Short, so that the last step can outlive it and see the re-authentication the reference UI offers.
        settings: { ui_url: `${ui}/settings`, privileged_session_max_age: privilegedAge },
        logout: { after: { default_browser_return_url: `${ui}/login` } },
      },
    },
    courier: { smtp: { connection_uri: `smtp://127.0.0.1:${smtp}/?disable_starttls=true` } },
    identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: `file://${join(dir, 'identity.schema.json')}` }] },
    secrets: { default: ['refui-check-secret-0123456789abcdef'] },
    porta: { ui: { enabled: false } },
  };
}
