import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { forEachSpawnBackend, prepareDatabase, spawnPorta, tempDir, type PortaProcess } from '../helpers/spawn.js';
import { burst, call, createIdentity, frontend, PASSWORD, traits, uniqueEmail } from './client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the listener on 127.0.0.1:port has an empty accept queue and at least `n` established
 * server-side connections, from /proc/net/tcp (for a listening socket, rx_queue is its accept backlog).
 */
function listenerState(port: number): { backlog: number; established: number } {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const rows = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/));
  const mine = rows.filter((r) => r[1]?.endsWith(`:${hexPort}`));
  const listen = mine.find((r) => r[3] === '0A');
  return { backlog: listen ? Number.parseInt(listen[4].split(':')[1], 16) : NaN, established: mine.filter((r) => r[3] === '01').length };
}

/** POST of a JSON body on a new connection (Connection: close), answered as { status, body }. */
function postOwnConnection(url: string, body: unknown): Promise<{ status: number; body: { session_token?: string } }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function acceptedAll(port: number, n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { backlog, established } = listenerState(port);
    if (backlog === 0 && established >= n) return;
    if (Date.now() > deadline) throw new Error(`connections not accepted: backlog ${backlog}, established ${established}`);
    await sleep(10);
  }
}

// Graceful shutdown (issue 2): on SIGTERM the listeners close, requests in flight finish, the database
// closes cleanly, and the process exits 0.
describe('graceful shutdown of a spawned porta serve', () => {
  test('a request whose body is still arriving when SIGTERM comes is answered and committed', async () => {
    const db = await prepareDatabase('sqlite', tempDir());
    const p = await spawnPorta({ database: db });
    const email = uniqueEmail('inflight');
    const body = JSON.stringify({ schema_id: 'default', traits: traits(email) });
    const port = Number(new URL(p.adminURL).port);
    const sock = connect(port, '127.0.0.1');
    let id: string;
    try {
      let response = '';
      sock.on('data', (d) => (response += d.toString()));
      const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
      await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
      const half = Math.floor(body.length / 2);
      sock.write(
        `POST /admin/identities HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, half)}`,
      );
      await sleep(300);
      p.child.kill('SIGTERM');
      await sleep(300);
      assert.equal(p.child.exitCode, null, 'the process waits for the request in flight');
      const fresh = await call(`${p.publicURL}/health/alive`).catch((err: Error) => err);
      assert.ok(fresh instanceof Error || fresh.status === 503, 'no new request is served while shutting down');
      sock.write(body.slice(half));
      await closed;
      assert.match(response, /^HTTP\/1\.1 201 /, response);
      id = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)).id as string;
    } finally {
      sock.destroy();
      await p.stop();
    }

    const again = await spawnPorta({ database: db });
    try {
      assert.equal((await call(`${again.adminURL}/admin/identities/${id}`)).status, 200, 'the write was committed');
    } finally {
      await again.stop();
    }
  });
});

forEachSpawnBackend('graceful shutdown with logins in flight', (backend) => {
  test('SIGTERM while 16 password logins are hashing: all answer 200, exit code 0', async () => {
    // Real argon2 cost so the logins are still running on the thread pool when the signal arrives.
    // Sixteen concurrent logins of one account from one address would trip the login throttle, which
    // counts attempts in flight; this test is about shutdown, so the throttle is off.
    const p = await spawnPorta({ backend, config: { hashers: { argon2: { memory: '64MiB', iterations: 3 } }, porta: { login_throttle: { enabled: false } } } });
    try {
      await loginsSurviveSigterm(p);
    } finally {
      await p.stop();
    }
  });
});

async function loginsSurviveSigterm(p: PortaProcess): Promise<void> {
  const { email } = await createIdentity(p.adminURL, uniqueEmail('sigterm'));
  const api = frontend(p.publicURL);
  const flows = await burst(16, async () => (await api.createNativeLoginFlow()).data.id);
  const port = Number(new URL(p.publicURL).port);
  const before = listenerState(port).established;
  let answered = 0;
  // Each login on a connection of its own (no agent): none can ride a kept-alive connection whose request
  // the server has not read yet, which an idle-connection close at SIGTERM would drop.
  const logins = flows.map((flow) =>
    postOwnConnection(`${p.publicURL}/self-service/login?flow=${flow}`, { method: 'password', identifier: email, password: PASSWORD }).then((a) => {
      answered++;
      return a;
    }),
  );
  // A request still in the listen backlog at SIGTERM is reset by the kernel: it was never in flight. So
  // the signal waits until the server has accepted all 16 connections (a fixed sleep was too short on a
  // loaded machine and too long on a quiet one), then briefly for the requests to be read.
  await acceptedAll(port, before + 16);
  await sleep(200);
  const inFlight = 16 - answered;
  p.child.kill('SIGTERM');
  const answers = await Promise.all(logins);
  assert.ok(inFlight > 0, 'SIGTERM arrived while logins were in flight');
  for (const a of answers) {
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.match(a.body.session_token ?? '', /^ory_st_/);
  }
  const res = await p.exited;
  assert.equal(res.code, 0, res.stderr);
}
