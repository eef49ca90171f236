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

export interface LoggerOptions {
  level: string;
  leakSensitiveValues?: boolean;
  /** `json` (default) or `text` (log.format): one readable line per entry, for a terminal. */
  format?: 'json' | 'text';
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const out = (opts.destination as pino.DestinationStream | undefined) ?? pino.destination(2);
  return pino(
    {
      level: opts.level,
      base: { service: 'porta' },
      redact: opts.leakSensitiveValues ? [] : { paths: REDACT, censor: '[redacted]' },
    },
    opts.format === 'text' ? textStream(out) : out,
  );
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * log.format: text. Redaction has already happened when pino hands over the JSON line, so this only
 * reshapes it: `2026-11-24T12:00:00.000Z INFO message key=value ...`.
 */
function textStream(out: pino.DestinationStream): pino.DestinationStream {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line);
      } catch {
        return out.write(line);
      }
      const { level, time, msg, service: _service, pid: _pid, hostname: _host, ...rest } = entry;
      const fields = Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      const stamp = typeof time === 'number' ? new Date(time).toISOString() : '';
      return out.write(`${[stamp, LEVELS[level as number] ?? String(level), msg ?? '', ...fields].filter(Boolean).join(' ')}\n`);
    },
  };
}

/** A DSN with its password replaced, for start-up messages. */
export function redactDsn(dsn: string): string {
  return dsn.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1[redacted]@').replace(/(password=)[^&]*/gi, '$1[redacted]');
}
