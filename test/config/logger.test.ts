import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/x/logger.js';

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { stream, lines };
}

describe('logger', () => {
  test('json lines by default, secrets redacted', () => {
    const { stream, lines } = capture();
    const log = createLogger({ level: 'info', destination: stream });
    log.info({ headers: { cookie: 'ory_kratos_session=abc' }, body: { password: 'hunter2', session_token: 'ory_st_x' } }, 'hello');
    const entry = JSON.parse(lines[0]);
    assert.equal(entry.msg, 'hello');
    assert.equal(entry.headers.cookie, '[redacted]');
    assert.equal(entry.body.password, '[redacted]');
    assert.equal(entry.body.session_token, '[redacted]');
  });

  test('log.format text: one readable line per entry, still redacted', () => {
    const { stream, lines } = capture();
    const log = createLogger({ level: 'info', format: 'text', destination: stream });
    log.info({ path: '/sessions/whoami', status: 200, headers: { authorization: 'Bearer ory_st_secret' } }, 'request');
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^\d{4}-\d\d-\d\dT[0-9:.]+Z INFO request path="\/sessions\/whoami" status=200 /);
    assert.ok(!lines[0].includes('ory_st_secret'), lines[0]);
    assert.ok(lines[0].includes('[redacted]'));
  });

  test('leak_sensitive_values turns redaction off', () => {
    const { stream, lines } = capture();
    createLogger({ level: 'info', leakSensitiveValues: true, destination: stream }).info({ headers: { cookie: 'c=1' } }, 'x');
    assert.equal(JSON.parse(lines[0]).headers.cookie, 'c=1');
  });
});
