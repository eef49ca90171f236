/**
 * The "A" system of style-and-perf.md §2.5: bare node:http with the SAME schema, pragmas, WAL
 * checkpointer and SQL statements as Porta's SQLite store, and the same status codes and bodies for
 * whoami and API logout, but no framework, config, validation beyond the essentials, or logging.
 * It is the practical ceiling for Porta on this stack.
 *
 *   node --import tsx bench/baseline.ts --db FILE --port 4500 --secret S
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { createLogger } from '../src/x/logger.js';
import { hashToken } from '../src/x/tokens.js';
import { decodeSessionCookie, readCookie } from '../src/session/cookie.js';
import { startCheckpointer } from '../src/persistence/sqlite/checkpoint.js';
import { IDENTITY_COLUMNS } from '../src/persistence/sqlite/identity-rows.js';
import { goJson } from '../src/http/writer.js';

const { values } = parseArgs({
  options: { db: { type: 'string' }, port: { type: 'string', default: '4500' }, secret: { type: 'string' }, base: { type: 'string' } },
});
if (!values.db || !values.secret) throw new Error('--db and --secret are required');
const secrets = [values.secret];
const port = Number(values.port);
const base = values.base ?? `http://127.0.0.1:${port}`;

// Porta's pragmas (src/persistence/sqlite/persister.ts) and checkpointing (checkpoint.ts).
const db = new Database(values.db);
db.pragma('busy_timeout = 5000');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('wal_autocheckpoint = 0');
db.pragma(`journal_size_limit = ${4000 * (db.pragma('page_size', { simple: true }) as number)}`);
const checkpointer = startCheckpointer(values.db, { intervalMs: 1000, walMaxPages: 4000, logger: createLogger({ level: 'silent' }) });

// The statements of src/persistence/sqlite/sessions.ts (GET_BY_TOKEN, REVOKE_BY_TOKEN), verbatim.
const SESSION_COLUMNS =
  's.id, s.identity_id, s.active, s.expires_at, s.authenticated_at, s.issued_at, s.aal, s.authentication_methods, s.devices, s.created_at, s.updated_at';
const getByToken = db.prepare(`SELECT ${SESSION_COLUMNS}, ${IDENTITY_COLUMNS} FROM sessions s JOIN identities i ON i.id = s.identity_id WHERE s.token_hash = ?`);
const revokeByToken = db.prepare('UPDATE sessions SET active = CASE active WHEN 1 THEN 0 ELSE -1 END WHERE token_hash = ? RETURNING id');

type Row = Record<string, any>;
type Json = Record<string, any>;

const goTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_m, f: string) => (f ? `.${f}Z` : 'Z'));
// Identity times are Go-formatted too (src/identity/json.ts).
const iso = (v: string | number): string => goTime(typeof v === 'number' ? v : Date.parse(v));

function identityJSON(r: Row): Json {
  const out: Json = { id: r.i_id, schema_id: r.i_schema_id, schema_url: `${base}/schemas/${Buffer.from(r.i_schema_id).toString('base64url')}`, state: r.i_state };
  if (r.i_state_changed_at != null) out.state_changed_at = iso(r.i_state_changed_at);
  out.traits = JSON.parse(r.i_traits);
  const va = JSON.parse(r.i_verifiable_addresses) as Json[];
  if (va.length)
    out.verifiable_addresses = va.map((a) => {
      const o: Json = { id: a.id, value: a.value, verified: a.verified, via: a.via, status: a.status };
      if (a.verifiedAt) o.verified_at = iso(a.verifiedAt);
      o.created_at = iso(a.createdAt);
      o.updated_at = iso(a.updatedAt);
      return o;
    });
  const ra = JSON.parse(r.i_recovery_addresses) as Json[];
  if (ra.length) out.recovery_addresses = ra.map((a) => ({ id: a.id, value: a.value, via: a.via, created_at: iso(a.createdAt), updated_at: iso(a.updatedAt) }));
  out.metadata_public = r.i_metadata_public == null ? null : JSON.parse(r.i_metadata_public);
  out.created_at = iso(r.i_created_at);
  out.updated_at = iso(r.i_updated_at);
  out.organization_id = r.i_organization_id ?? null;
  return out;
}

function sessionJSON(r: Row): Json {
  return {
    id: r.id,
    active: true,
    expires_at: goTime(r.expires_at),
    authenticated_at: goTime(r.authenticated_at),
    authenticator_assurance_level: r.aal,
    authentication_methods: (JSON.parse(r.authentication_methods) as Json[]).map((m) => ({ method: m.method, aal: m.aal, completed_at: goTime(Date.parse(m.completedAt)) })),
    issued_at: goTime(r.issued_at),
    identity: identityJSON(r),
    devices: (JSON.parse(r.devices) as Json[]).map((d) => ({ id: d.id, ip_address: d.ipAddress, user_agent: d.userAgent, location: d.location })),
  };
}

const WHOAMI_401 = JSON.stringify({
  error: { code: 401, status: 'Unauthorized', reason: 'No valid session credentials found in the request.', message: 'The request could not be authorized' },
});
const LOGOUT_403 = JSON.stringify({
  error: {
    code: 403,
    status: 'Forbidden',
    reason: 'The provided Ory Session Token could not be found, is invalid, or otherwise malformed.',
    message: 'The requested action was forbidden',
  },
});
const BAD_REQUEST = JSON.stringify({ error: { code: 400, status: 'Bad Request', message: 'The request was malformed or contained invalid parameters' } });

function send(res: ServerResponse, status: number, body?: string, headers: Record<string, string> = {}): void {
  res.writeHead(
    status,
    body ? { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), ...headers } : headers,
  );
  res.end(body);
}

function tokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers['x-session-token'];
  if (typeof header === 'string' && header) return header;
  const cookie = readCookie(req.headers.cookie, 'ory_kratos_session');
  if (cookie) {
    const payload = decodeSessionCookie(secrets, cookie);
    if (payload) return payload.token;
  }
  const auth = req.headers.authorization;
  if (auth && auth.toLowerCase().startsWith('bearer ')) return auth.slice(7);
  return undefined;
}

function whoami(req: IncomingMessage, res: ServerResponse): void {
  const token = tokenOf(req);
  const row = token ? (getByToken.get(hashToken(token)) as Row | undefined) : undefined;
  if (!row || row.active !== 1 || row.expires_at <= Date.now() || row.i_state !== 'active') {
    send(res, 401, WHOAMI_401, { 'cache-control': 'private, no-cache, no-store, must-revalidate' });
    return;
  }
  // Byte-identical to Porta's body: Go's HTML escaping and trailing newline.
  send(res, 200, goJson(sessionJSON(row)), {
    'cache-control': 'private, no-cache, no-store, must-revalidate',
    'x-kratos-authenticated-identity-id': row.identity_id,
  });
}

function logoutApi(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= 5 * 1024 * 1024) chunks.push(c);
  });
  req.on('end', () => {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json') || size === 0 || size > 5 * 1024 * 1024) return send(res, 400, BAD_REQUEST);
    let token: unknown;
    try {
      token = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { session_token?: unknown }).session_token;
    } catch {
      return send(res, 400, BAD_REQUEST);
    }
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) return send(res, 403, LOGOUT_403);
    const row = revokeByToken.get(hashToken(token));
    if (!row) return send(res, 403, LOGOUT_403);
    send(res, 204, undefined, { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  });
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/sessions/whoami' && req.method === 'GET') return whoami(req, res);
  if (path === '/self-service/logout/api' && req.method === 'DELETE') return logoutApi(req, res);
  if (path === '/health/ready') {
    db.prepare('SELECT 1').get();
    return send(res, 200, '{"status":"ok"}');
  }
  send(res, 404, '{"error":{"code":404,"status":"Not Found","message":"The requested resource could not be found"}}');
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');

const stop = () => {
  server.close(() => {
    void checkpointer.stop().then(() => {
      db.close();
      process.exit(0);
    });
  });
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
