import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  socketError?: string;
}

/** Sends bytes on a fresh connection and reads until the server closes it (bounded at 10 s). */
function rawExchange(port: number, data: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let socketError: string | undefined;
    const timer = setTimeout(() => s.destroy(new Error('no close within 10 s')), 10_000);
    s.on('data', (d) => chunks.push(d));
    s.on('error', (e: NodeJS.ErrnoException) => (socketError = e.code ?? e.message));
    s.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`no HTTP answer (${socketError}): ${JSON.stringify(text)}`));
      const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4), socketError });
    });
    s.write(data);
  });
}

/** The Kratos error envelope, with `status` as Go's http.StatusText. */
function assertKratosError(res: RawAnswer, code: number, status: string): void {
  assert.equal(res.status, code, res.body);
  assert.equal(res.headers['content-type'], 'application/json');
  const body = JSON.parse(res.body);
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, code);
  assert.equal(body.error.status, status);
  assert.equal(typeof body.error.message, 'string');
  assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.body));
}

// Issue 8, defect 8: errors raised before Porta's routes (Node's parser, Fastify's router and body
// reader) carry the Kratos envelope like every other error, on a real listening server.
forEachBackend('errors raised below the routes', (backend) => {
  let t: TestApp;
  let pub: number;
  let adm: number;
  before(async () => {
    t = await startApp({ backend, listen: true });
    pub = Number(new URL(t.publicURL).port);
    adm = Number(new URL(t.adminURL).port);
  });
  after(() => t.close());

  test('a 20 KB cookie: 431', async () => {
    const res = await rawExchange(pub, `GET /sessions/whoami HTTP/1.1\r\nHost: x\r\nCookie: a=${'x'.repeat(20_000)}\r\n\r\n`);
    assertKratosError(res, 431, 'Request Header Fields Too Large');
  });

  test('a path that is not UTF-8 once decoded: 400', async () => {
    const res = await rawExchange(pub, 'GET /schemas/%ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assertKratosError(res, 400, 'Bad Request');
    assert.ok(!res.body.includes('FST_'), res.body);
  });

  test('a 1,000-character id: 414', async () => {
    const res = await rawExchange(adm, `GET /admin/identities/${'a'.repeat(1000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assertKratosError(res, 414, 'Request URI Too Long');
    assert.ok(!res.body.includes('aaaa'), 'the path is not echoed');
  });

  test('an unknown method and an unparsable request line: 400', async () => {
    for (const [server, data] of [
      [pub, 'FOO / HTTP/1.1\r\nHost: x\r\n\r\n'],
      [adm, 'FOO /admin/identities HTTP/1.1\r\nHost: x\r\n\r\n'],
      [pub, 'hello\r\n\r\n'],
      [pub, 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ] as const) {
      const res = await rawExchange(server, data);
      assertKratosError(res, 400, 'Bad Request');
      assert.ok(!res.body.includes('Client Error'), res.body);
    }
  });

  test('answers Node writes by itself: a request without Host (400) and an unknown Expect (417)', async () => {
    const noHost = await rawExchange(pub, 'GET /health/alive HTTP/1.1\r\nConnection: close\r\n\r\n');
    assertKratosError(noHost, 400, 'Bad Request');
    const expect = await rawExchange(adm, 'GET /health/alive HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nConnection: close\r\n\r\n');
    assertKratosError(expect, 417, 'Expectation Failed');
    const http10 = await rawExchange(pub, 'GET /health/alive HTTP/1.0\r\n\r\n');
    assert.equal(http10.status, 200, 'HTTP/1.0 needs no Host');
  });

  test('a 6 MiB body: the client writes it all and reads a Kratos-format 413', async () => {
    const body = Buffer.alloc(6 * 1024 * 1024, 0x61);
    for (const [port, path] of [
      [adm, '/admin/identities'],
      [pub, '/self-service/logout/api'],
    ] as const) {
      const answer = await new Promise<{ status: number; contentType: string; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, method: path.endsWith('/api') ? 'DELETE' : 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } });
        req.on('error', reject);
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        });
        req.end(body);
      });
      assert.equal(answer.status, 413, path);
      assert.equal(answer.contentType, 'application/json');
      const err = JSON.parse(answer.body).error;
      assert.equal(err.code, 413);
      assert.equal(err.status, 'Request Entity Too Large');
    }
  });

  test('a chunked body over the limit: 413 read in full as well', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: adm, path: '/admin/identities', method: 'POST', headers: { 'content-type': 'application/json' } });
      req.on('error', reject);
      req.on('response', (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (d) => chunks.push(d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      const piece = Buffer.alloc(256 * 1024, 0x61);
      for (let i = 0; i < 24; i++) req.write(piece);
      req.end();
    });
    assert.equal(res.status, 413);
    assert.equal(JSON.parse(res.body).error.code, 413);
  });

  test('the server still answers after all of the above', async () => {
    const res = await fetch(`${t.publicURL}/health/alive`);
    assert.equal(res.status, 200);
  });
});
