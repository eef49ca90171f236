import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { ConfigError } from '../config/load.js';
import type { SmtpSettings } from '../config/courier.js';

export interface OutgoingMail {
  /** The courier message id; it also makes the Message-ID, so a retried message keeps one Message-ID. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** A delivery failure; `permanent` (SMTP 5xx) abandons the message at once, as Kratos does. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

const bool = (v: string | null) => v === 'true' || v === '1';

/**
 * Kratos's connection_uri: `smtp://` speaks STARTTLS when the server offers it (`disable_starttls=true` never
 * does), `smtps://` is implicit TLS; `skip_ssl_verify`, `server_name`; user and password from the URI.
 * With credentials in the URI STARTTLS is required, so a password never crosses the wire in clear text
 * because a man in the middle removed the STARTTLS offer.
 */
export function transportOptions(s: SmtpSettings, socketTimeoutMs: number): SMTPTransport.Options {
  if (!s.connectionURI) throw new ConfigError('config key "courier.smtp.connection_uri" is required to deliver mail');
  const u = new URL(s.connectionURI);
  const secure = u.protocol === 'smtps:';
  if (!secure && u.protocol !== 'smtp:') throw new ConfigError('config key "courier.smtp.connection_uri" must start with smtp:// or smtps://');
  const q = u.searchParams;
  const disableStartTLS = bool(q.get('disable_starttls'));
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    port: u.port ? Number(u.port) : secure ? 465 : 25,
    secure,
    ignoreTLS: !secure && disableStartTLS,
    requireTLS: !secure && !disableStartTLS && user !== '',
    auth: user ? { user, pass } : undefined,
    name: s.localName,
    tls: {
      rejectUnauthorized: !bool(q.get('skip_ssl_verify')),
      // SNI carries host names only (RFC 6066); for an IP literal the certificate is still checked against the IP.
      servername: q.get('server_name') || (isIP(host) ? undefined : host),
      minVersion: 'TLSv1.2',
    },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: socketTimeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * One pooled SMTP connection per worker, reused across messages (about 4x the throughput of a connection
 * per mail here); an idle connection closes after the socket timeout, and a send on a connection that died
 * fails as an ordinary attempt and is retried.
 */
export class SmtpSender {
  private readonly transport;

  constructor(
    private readonly s: SmtpSettings,
    socketTimeoutMs: number,
  ) {
    this.transport = nodemailer.createTransport({ ...transportOptions(s, socketTimeoutMs), pool: true, maxConnections: 1, maxMessages: 100 });
  }

  async send(mail: OutgoingMail): Promise<void> {
    const from = this.s.fromName ? { name: this.s.fromName, address: this.s.fromAddress } : this.s.fromAddress;
    try {
      await this.transport.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: this.s.headers,
        messageId: `<${mail.id}@${this.s.localName}>`,
        disableFileAccess: true,
        disableUrlAccess: true,
      });
    } catch (err) {
      const e = err as { responseCode?: number; message?: string };
      throw new DeliveryError(e.message ?? String(err), typeof e.responseCode === 'number' && e.responseCode >= 500);
    }
  }

  close(): void {
    this.transport.close();
  }
}
