#!/usr/bin/env node
// The lean A on PostgreSQL: what ../shared/bench/limit-server.cjs does on SQLite, on a PostgreSQL database in
// Porta's schema (the rows the benchmark seeds for Porta), with the minimal statements a well-built server
// would run. Bare node:http + pg, no framework, no logging, no CSRF. Written to be fast, but honestly:
//   - every statement is a named prepared statement (pg parses and plans it once per connection);
//   - the pool has 10 connections, as Porta's default (`max_conns` unset), so both have the same
//     concurrency on the database;
//   - tokens are stored as SHA-256 hashes (Porta's schema), so every lookup hashes the presented token;
//   - the session cookie is the raw token (as A on SQLite), not a signed cookie;
//   - Porta stores no logout token, so this server derives it as Porta does (HMAC-SHA256 of the session id,
//     base62): a browser logout costs one HMAC here too.
//
//   node bench/limit-pg.mjs POSTGRES_URL PORT      (listens on 127.0.0.1 only; env SECRET = Porta's first secret)
import { Buffer } from 'node:buffer';
import http from 'node:http';
import process from 'node:process';
import { URLSearchParams } from 'node:url';
import crypto from 'node:crypto';
import pg from 'pg';

const [url, portArg] = process.argv.slice(2);
if (!url) {
  process.stderr.write('usage: limit-pg.mjs POSTGRES_URL [PORT]\n');
  process.exit(2);
}
const PORT = Number(portArg || 4433);
const HOST = '127.0.0.1';
const BASE_URL = `http://${HOST}:${PORT}`;
const SECRET = process.env.SECRET || 'porta-bench-secret-0123456789abcdef';
const COOKIE = 'ory_kratos_session';
const pool = new pg.Pool({ connectionString: url, max: 10 });

const Q_WHOAMI = {
  name: 'whoami',
  text:
    'SELECT s.id, s.active, s.expires_at, s.authenticated_at, s.issued_at, i.id AS identity_id, i.schema_id, i.traits, i.state, i.created_at AS i_created_at, i.updated_at AS i_updated_at ' +
    'FROM sessions s JOIN identities i ON i.id = s.identity_id WHERE s.token_hash = $1',
};
const Q_LOOKUP = { name: 'lookup', text: 'SELECT id, active, expires_at > now() AS live FROM sessions WHERE token_hash = $1' };
// One statement for the common case; the fallback lookup runs only for an unknown or already-revoked token.
const Q_REVOKE = { name: 'revoke', text: 'UPDATE sessions SET active = false, updated_at = now() WHERE token_hash = $1 AND active RETURNING id' };
const Q_EXISTS = { name: 'exists', text: 'SELECT 1 FROM sessions WHERE token_hash = $1' };
// pg copies every query config it is given through property descriptors; with the name and text on a
// prototype only the values are copied (as Porta's namedStatement does: about 3.5 us less per query).
const calls = new Map();
function q(stmt, values) {
  let Call = calls.get(stmt);
  if (!Call) {
    Call = class {
      constructor(v) {
        this.values = v;
      }
    };
    Object.defineProperties(Call.prototype, { name: { value: stmt.name }, text: { value: stmt.text } });
    calls.set(stmt, Call);
  }
  return pool.query(new Call(values));
}

const hashToken = (t) => crypto.createHash('sha256').update(t).digest();
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
function logoutToken(id) {
  let n = BigInt(`0x${crypto.createHmac('sha256', SECRET).update(`porta/logout/${id}`).digest('hex')}`);
  let out = 'ory_lo_';
  for (let i = 0; i < 32; i++) {
    out += ALNUM[Number(n % 62n)];
    n /= 62n;
  }
  return out;
}

function herodot(code, status, message, reason, id) {
  const e = {};
  if (id) e.id = id;
  e.code = code;
  e.status = status;
  if (reason) e.reason = reason;
  e.message = message;
  return [code, Buffer.from(`${JSON.stringify({ error: e })}\n`)];
}
const ERR = {
  whoami401: herodot(401, 'Unauthorized', 'The request could not be authorized', 'No valid session credentials found in the request.'),
  inactive401: herodot(401, 'Unauthorized', 'request does not have a valid authentication session', 'No active session was found in this request.', 'session_inactive'),
  noToken400: herodot(400, 'Bad Request', 'The request was malformed or contained invalid parameters', 'Please include a token in the URL query.'),
  mismatch403: herodot(403, 'Forbidden', 'The requested action was forbidden', 'Unable to log out because the logout token in the URL query does not match the session cookie.'),
  unknown403: herodot(403, 'Forbidden', 'The requested action was forbidden', 'The provided Ory Session Token could not be found, is invalid, or otherwise malformed.'),
  badRequest400: herodot(400, 'Bad Request', 'The request was malformed or contained invalid parameters', 'Unable to decode JSON payload.'),
  notFound404: herodot(404, 'Not Found', 'The requested resource could not be found'),
  internal500: herodot(500, 'Internal Server Error', 'An internal server error occurred, please contact the system administrator'),
};
function sendErr(res, [code, body]) {
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}
function sendJson(res, obj, extra) {
  const body = `${JSON.stringify(obj)}\n`;
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

/** One cookie's value from a Cookie header, without parsing the others (indexOf only: no regex on input). */
function cookieValue(header, name) {
  if (!header || header.length > 8192) return undefined;
  let at = 0;
  for (;;) {
    const i = header.indexOf(name, at);
    if (i < 0) return undefined;
    const before = i === 0 ? ';' : header[i - 1];
    if ((before === ';' || before === ' ') && header.charCodeAt(i + name.length) === 61) {
      const start = i + name.length + 1;
      const end = header.indexOf(';', start);
      return (end < 0 ? header.slice(start) : header.slice(start, end)).trim();
    }
    at = i + name.length;
  }
}
const extractToken = (req) => req.headers['x-session-token'] || cookieValue(req.headers.cookie, COOKIE);
const iso = (d) => d.toISOString();
const schemaUrls = new Map();
function schemaUrl(id) {
  let u = schemaUrls.get(id);
  if (u === undefined) schemaUrls.set(id, (u = `${BASE_URL}/schemas/${Buffer.from(id).toString('base64url')}`));
  return u;
}
const CLEAR_COOKIE = `${COOKIE}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; SameSite=Lax`;
const NO_CACHE = 'private, no-cache, no-store, must-revalidate';

async function whoami(req, res) {
  const token = extractToken(req);
  if (!token) return sendErr(res, ERR.whoami401);
  const { rows } = await q(Q_WHOAMI, [hashToken(token)]);
  const r = rows[0];
  if (r === undefined || !r.active || !(r.expires_at.getTime() > Date.now()) || r.state !== 'active') return sendErr(res, ERR.whoami401);
  const authenticatedAt = iso(r.authenticated_at);
  sendJson(
    res,
    {
      id: r.id,
      active: true,
      expires_at: iso(r.expires_at),
      authenticated_at: authenticatedAt,
      authenticator_assurance_level: 'aal1',
      authentication_methods: [{ method: 'password', aal: 'aal1', completed_at: authenticatedAt }],
      issued_at: iso(r.issued_at),
      identity: {
        id: r.identity_id,
        schema_id: r.schema_id,
        schema_url: schemaUrl(r.schema_id),
        state: r.state,
        traits: r.traits,
        metadata_public: null,
        created_at: iso(r.i_created_at),
        updated_at: iso(r.i_updated_at),
        organization_id: null,
      },
      devices: [],
    },
    { 'X-Kratos-Authenticated-Identity-Id': r.identity_id },
  );
}

async function logoutBrowser(req, res, query) {
  const expected = query === null ? null : new URLSearchParams(query).get('token');
  if (!expected) return sendErr(res, ERR.noToken400);
  const token = cookieValue(req.headers.cookie, COOKIE);
  if (!token) return sendErr(res, ERR.inactive401);
  const hash = hashToken(token);
  const s = (await q(Q_LOOKUP, [hash])).rows[0];
  if (s === undefined || !s.active || !s.live) return sendErr(res, ERR.inactive401);
  const a = Buffer.from(logoutToken(s.id));
  const b = Buffer.from(expected);
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return sendErr(res, ERR.mismatch403);
  await q(Q_REVOKE, [hash]);
  res.writeHead(204, { 'Cache-Control': NO_CACHE, 'Set-Cookie': CLEAR_COOKIE });
  res.end();
}

function logoutApi(req, res) {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size <= 65536) chunks.push(c);
  });
  req.on('end', () => {
    let token;
    try {
      token = size <= 65536 ? JSON.parse(Buffer.concat(chunks)).session_token : undefined;
    } catch {
      return sendErr(res, ERR.badRequest400);
    }
    if (typeof token !== 'string' || token === '') return sendErr(res, ERR.unknown403);
    const h = hashToken(token);
    q(Q_REVOKE, [h])
      .then(async ({ rows }) => {
        if (rows.length === 0 && (await q(Q_EXISTS, [h])).rows.length === 0) return sendErr(res, ERR.unknown403);
        res.writeHead(204);
        res.end();
      })
      .catch((e) => fail(res, e));
  });
}

function fail(res, e) {
  process.stderr.write(`limit-pg: ${e.stack || e}\n`);
  if (!res.headersSent) sendErr(res, ERR.internal500);
  else res.destroy();
}

const HEALTH = Buffer.from('{"status":"ok"}\n');
const server = http.createServer((req, res) => {
  const u = req.url;
  const qi = u.indexOf('?');
  const p = qi < 0 ? u : u.slice(0, qi);
  const m = req.method;
  let work;
  if (p === '/sessions/whoami' && m === 'GET') work = whoami(req, res);
  else if (p === '/self-service/logout' && m === 'GET') work = logoutBrowser(req, res, qi < 0 ? null : u.slice(qi + 1));
  else if (p === '/self-service/logout/api' && m === 'DELETE') return logoutApi(req, res);
  else if (p === '/health/alive' && m === 'GET') {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    return res.end(HEALTH);
  } else return sendErr(res, ERR.notFound404);
  work.catch((e) => fail(res, e));
});
server.keepAliveTimeout = 65_000;
server.listen(PORT, HOST, () => process.stdout.write(`limit-pg listening on ${BASE_URL}\n`));
const shutdown = () => server.close(() => pool.end().then(() => process.exit(0)));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
