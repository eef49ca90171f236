import { pino, type Logger } from 'pino';

/** Values that never reach a log line, whatever the level (unless log.leak_sensitive_values). */
const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-session-token"]',
  'headers.cookie',
  'headers.authorization',
  'headers["x-session-token"]',
  '*.password',
  '*.session_token',
  '*.token',
  '*.dsn',
  '*.secrets',
  'dsn',
];

export function createLogger(opts: { level: string; leakSensitiveValues?: boolean; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: opts.level,
      base: { service: 'porta' },
      redact: opts.leakSensitiveValues ? [] : { paths: REDACT, censor: '[redacted]' },
    },
    (opts.destination as pino.DestinationStream | undefined) ?? pino.destination(2),
  );
}

/** A DSN with its password replaced, for start-up messages. */
export function redactDsn(dsn: string): string {
  return dsn.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1[redacted]@').replace(/(password=)[^&]*/gi, '$1[redacted]');
}
