import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

/** A real SMTP server on loopback (smtp-server), keeping every accepted mail parsed by mailparser. */

export interface ReceivedMail {
  mail: ParsedMail;
  /** The EHLO/HELO name the client gave. */
  heloName: string;
  /** Whether the session ran over TLS (implicit or STARTTLS). */
  secure: boolean;
}

export interface SinkOptions {
  /** Implicit TLS (smtps://). */
  secure?: boolean;
  /** Offer STARTTLS with a generated certificate (default true); false hides it. */
  starttls?: boolean;
}

export interface Sink {
  port: number;
  received: ReceivedMail[];
  /** DATA attempts answered or held (counted when the answer is decided). */
  attempts: number;
  /** Reply to DATA with this SMTP code (e.g. 451, 550) instead of accepting; null accepts. */
  failWith: number | null;
  /** While set, DATA is neither accepted nor refused (a slow server); the client waits. */
  hold: boolean;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  waitForAttempts(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

let cert: { key: Buffer; cert: Buffer } | undefined;
/** A throwaway self-signed certificate for localhost/127.0.0.1, made with the openssl CLI. */
export function selfSignedCert(): { key: Buffer; cert: Buffer } {
  if (cert) return cert;
  const dir = mkdtempSync(join(tmpdir(), 'porta-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    cert = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
    return cert;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function startSink(opts: SinkOptions = {}): Promise<Sink> {
  const { key, cert: crt } = selfSignedCert();
  const sink: Sink = {
    port: 0,
    received: [],
    attempts: 0,
    failWith: null,
    hold: false,
    waitFor: (n, t = 20_000) => until(() => sink.received.length >= n, t, `${n} mail(s), got ${sink.received.length}`),
    waitForAttempts: (n, t = 20_000) => until(() => sink.attempts >= n, t, `${n} DATA attempt(s), got ${sink.attempts}`),
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server = new SMTPServer({
    secure: opts.secure === true,
    key,
    cert: crt,
    authOptional: true,
    // Any user and password are accepted, over TLS or not: only the client decides whether it may send them.
    allowInsecureAuth: true,
    onAuth: (auth, _session, cb) => cb(null, { user: auth.username }),
    disabledCommands: opts.starttls === false ? ['STARTTLS'] : [],
    logger: false,
    // Let a held connection end at once when the test closes the sink.
    closeTimeout: 100,
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        // Counted when the answer is decided, so a test that waits for N attempts then changes failWith
        // changes only later attempts.
        sink.attempts++;
        if (sink.hold) return; // never answered: the client is stuck in DATA
        if (sink.failWith !== null) {
          const err = Object.assign(new Error(`refused by the test sink (${sink.failWith})`), { responseCode: sink.failWith });
          return callback(err);
        }
        simpleParser(Buffer.concat(chunks)).then(
          (mail) => {
            sink.received.push({ mail, heloName: session.hostNameAppearsAs, secure: session.secure });
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => {});
  sink.port = (server.server.address() as { port: number }).port;
  return sink;
}
