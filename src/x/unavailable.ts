/**
 * Whether an error thrown by a database driver means "the database cannot be used right now" (a
 * restart, a crash, a network failure, a timeout, a locked or failing disk) rather than a bug or bad
 * input. Such errors are answered with 503, which tells clients and load balancers to try again, instead
 * of the 500 that means "Porta is broken". Pure classification on the error's code and, where the
 * driver gives none, its exact message, so the HTTP layer needs no driver import.
 */

// Socket-level failures Node reports on the connection to the database server.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

// SQLSTATEs (PostgreSQL errcodes appendix) that describe the server or the connection, not the statement.
const PG_STATES = new Set([
  '57P01', // admin_shutdown: the server is shutting down (pg_ctl stop -m fast)
  '57P02', // crash_shutdown: another backend crashed
  '57P03', // cannot_connect_now: starting up, shutting down or in recovery
  '57P05', // idle_session_timeout
  '57014', // query_canceled: statement_timeout expired
  '53300', // too_many_connections
  '53000', // insufficient_resources
  '53100', // disk_full
  '53200', // out_of_memory
]);

// node-postgres and pg-pool raise these without a code.
const PG_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
]);

function classify(err: unknown, depth: number): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') {
    const code = e.code;
    if (NETWORK_CODES.has(code) || PG_STATES.has(code)) return true;
    // 08xxx: connection exception.
    if (code.length === 5 && code.startsWith('08')) return true;
    // better-sqlite3: the write lock stayed taken past busy_timeout, or the disk failed or is full.
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL') return true;
  }
  if (typeof e.message === 'string' && PG_MESSAGES.has(e.message)) return true;
  // Connecting to a host name with several addresses fails with an AggregateError of per-address errors.
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((x) => classify(x, depth + 1))) return true;
  return classify(e.cause, depth + 1);
}

export function isUnavailableError(err: unknown): boolean {
  return classify(err, 0);
}
