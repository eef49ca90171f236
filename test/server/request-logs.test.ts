import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/x/logger.js';
import { createServer } from '../../src/http/server.js';

// At `warn` and above Fastify is built without a logger (it would time every response for request lines
// nobody writes), so handlers' own warnings must still reach the log through req.log; at `info` the
// request lines are written, without query strings.

function capture(): { stream: Writable; entries: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { stream, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

async function serverAt(level: string) {
  const { stream, entries } = capture();
  const app = await createServer({ kind: 'public', logger: createLogger({ level, destination: stream }) });
  app.get('/warns', async (req) => {
    req.log.warn({ detail: 'from the handler' }, 'handler warning');
    return { ok: true };
  });
  app.get('/quiet', async () => ({ ok: true }));
  await app.ready();
  return { app, entries };
}

describe('request logs', () => {
  test('level warn: no request lines, and a handler warning still logged with the server binding', async () => {
    const { app, entries } = await serverAt('warn');
    try {
      assert.equal((await app.inject({ method: 'GET', url: '/quiet?token=ory_lo_secret' })).statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: '/warns' })).statusCode, 200);
      const logged = entries();
      assert.deepEqual(logged.map((e) => e.msg), ['handler warning']);
      assert.equal(logged[0].server, 'public');
      assert.equal(logged[0].detail, 'from the handler');
    } finally {
      await app.close();
    }
  });

  test('level info: one request line per request, path without its query, and the handler warning', async () => {
    const { app, entries } = await serverAt('info');
    try {
      await app.inject({ method: 'GET', url: '/quiet?token=ory_lo_secret' });
      await app.inject({ method: 'GET', url: '/warns' });
      const logged = entries().filter((e) => e.msg === 'request' || e.msg === 'handler warning');
      assert.deepEqual(logged.map((e) => [e.msg, e.path ?? null, e.status ?? null]), [
        ['request', '/quiet', 200],
        ['handler warning', null, null],
        ['request', '/warns', 200],
      ]);
      assert.ok(logged.every((e) => e.server === 'public'));
      assert.ok(!JSON.stringify(entries()).includes('ory_lo_secret'));
    } finally {
      await app.close();
    }
  });
});
