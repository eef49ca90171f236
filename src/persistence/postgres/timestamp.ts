import pg from 'pg';

const TIMESTAMPTZ = 1184;
const defaultParser = pg.types.getTypeParser(TIMESTAMPTZ, 'text') as (text: string) => Date | number | null;

/** The decimal value of text[from, to), or -1 when a character there is not a digit. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * A `timestamptz` column as a Date, the same Date pg's own parser (postgres-date) gives. That parser runs
 * three regular expressions per value (0.5 us in a pinned micro, 1.4 us inside a loaded server; this one
 * 0.13-0.15 us) and leaves most of a kilobyte of garbage on Node 20, and every
 * session read and revoke returns three such columns. PostgreSQL writes them with DateStyle ISO as
 * `YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM[:SS]]`; that shape is read here digit by digit. Anything else
 * (`infinity`, BC dates, years outside 1000-9999, another DateStyle) goes to pg's parser.
 */
export function parseTimestamptz(text: string): Date | number | null {
  const n = text.length;
  if (n < 22 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
    return defaultParser(text);
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  if (year < 1000 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return defaultParser(text);
  let i = 19;
  let ms = 0;
  if (text.charCodeAt(i) === 46) {
    // Milliseconds are the first three fraction digits (a Date keeps no more; postgres-date truncates too).
    const start = ++i;
    while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    const len = i - start;
    if (len === 0 || len > 6) return defaultParser(text);
    ms = digits(text, start, Math.min(i, start + 3)) * (len === 1 ? 100 : len === 2 ? 10 : 1);
  }
  const sign = text.charCodeAt(i);
  if (sign !== 43 && sign !== 45) return defaultParser(text);
  // The zone offset: +HH, +HH:MM or +HH:MM:SS, and nothing after it.
  const rest = n - i - 1;
  if (rest !== 2 && rest !== 5 && rest !== 8) return defaultParser(text);
  const oh = digits(text, i + 1, i + 3);
  const om = rest >= 5 && text.charCodeAt(i + 3) === 58 ? digits(text, i + 4, i + 6) : rest >= 5 ? -1 : 0;
  const os = rest === 8 && text.charCodeAt(i + 6) === 58 ? digits(text, i + 7, i + 9) : rest === 8 ? -1 : 0;
  if (oh < 0 || om < 0 || os < 0) return defaultParser(text);
  const offset = (oh * 3600 + om * 60 + os) * 1000 * (sign === 45 ? -1 : 1);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset);
}

/** pg's type parsers with the timestamptz one above; given to every pool (persister.ts poolConfig). */
export const PG_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): unknown {
    if (oid === TIMESTAMPTZ && (format === undefined || format === 'text')) return parseTimestamptz;
    return pg.types.getTypeParser(oid, format);
  },
};
