import { ConfigError } from './load.js';
import { parseDuration } from './duration.js';

export interface SmtpSettings {
  /** Never logged: it may carry a user and password. */
  connectionURI?: string;
  fromAddress: string;
  fromName?: string;
  headers: Record<string, string>;
  localName: string;
}

export interface CourierSettings {
  smtp: SmtpSettings;
  messageRetries: number;
  pullCount: number;
  pullWaitMs: number;
  claimLeaseMs: number;
  templateOverridePath?: string;
  templates: Record<string, unknown>;
}

type Json = Record<string, any>;

/** The `courier` section (and `porta.courier`), with Kratos's defaults already filled by the schema. */
export function courierSettings(v: Json): CourierSettings {
  const c = v.courier;
  const smtp = c.smtp;
  if (smtp.connection_uri) {
    try {
      new URL(smtp.connection_uri);
    } catch {
      // The value is not echoed: it may contain a password.
      throw new ConfigError('config key "courier.smtp.connection_uri" is not a valid URL');
    }
  }
  const leaseMs = parseDuration(v.porta.courier.claim_lease);
  if (leaseMs < 1000) throw new ConfigError('config key "porta.courier.claim_lease" must be at least 1s');
  return {
    smtp: {
      connectionURI: smtp.connection_uri || undefined,
      fromAddress: smtp.from_address,
      fromName: smtp.from_name || undefined,
      headers: smtp.headers ?? {},
      localName: smtp.local_name,
    },
    messageRetries: c.message_retries,
    pullCount: c.worker.pull_count,
    pullWaitMs: parseDuration(c.worker.pull_wait),
    claimLeaseMs: leaseMs,
    templateOverridePath: c.template_override_path || undefined,
    templates: c.templates ?? {},
  };
}
