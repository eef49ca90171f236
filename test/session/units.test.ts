import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseGoBool, parseUUID } from '../../src/http/go-params.js';
import { goQuote } from '../../src/x/go/quote.js';
import { parseOffsetPage, setOffsetHeaders } from '../../src/http/pagination.js';
import { bearerToken } from '../../src/session/credentials.js';
import { goTime } from '../../src/x/go/time.js';
import { Query } from '../../src/http/query.js';
import { PortaError } from '../../src/http/errors.js';

function headersFor(total: number, page: number, perPage: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const reply = { header: (k: string, v: string) => ((headers[k] = v), reply) } as unknown as FastifyReply;
  setOffsetHeaders({ url: '/sessions' } as FastifyRequest, reply, total, { page, perPage });
  return headers;
}

const tok = (offset: number) => Buffer.from(`{"offset":"${offset}","v":2}`).toString('base64url');
const link = (rel: string, size: number, offset: number) =>
  `</sessions?page=${offset / size}&page_size=${size}&page_token=${tok(offset)}&per_page=${size}>; rel="${rel}"`;

describe('offset pagination headers (the vectors of ory/x migrationpagination snapshots)', () => {
  test('at the beginning: next and last', () => {
    assert.equal(headersFor(120, 0, 50).link, [link('next', 50, 50), link('last', 50, 100)].join(','));
    assert.equal(headersFor(120, 0, 50)['x-total-count'], '120');
  });
  test('fewer items than a page: only first, sized to the total', () => {
    assert.equal(headersFor(5, 0, 50).link, link('first', 5, 0));
  });
  test('in the middle: first, next, prev, last', () => {
    assert.equal(headersFor(300, 3, 50).link, [link('first', 50, 0), link('next', 50, 200), link('prev', 50, 100), link('last', 50, 250)].join(','));
  });
  test('no total: first, next, prev', () => {
    assert.equal(headersFor(0, 3, 50).link, [link('first', 50, 0), link('next', 50, 200), link('prev', 50, 100)].join(','));
  });
  test('at the end: first and prev', () => {
    assert.equal(headersFor(120, 2, 50).link, [link('first', 50, 0), link('prev', 50, 50)].join(','));
  });
  test('a page of one', () => {
    assert.equal(headersFor(100, 20, 1).link, [link('first', 1, 0), link('next', 1, 21), link('prev', 1, 19), link('last', 1, 99)].join(','));
  });
  test('parsing: token wins over page, sizes clamped to 1..1000, garbage falls back', () => {
    assert.deepEqual(parseOffsetPage(new Query(`/?page_token=${tok(100)}&page_size=50&page=7`)), { page: 2, perPage: 50 });
    assert.deepEqual(parseOffsetPage(new Query('/?per_page=5000&page=-3')), { page: 0, perPage: 1000 });
    assert.deepEqual(parseOffsetPage(new Query('/?per_page=0')), { page: 0, perPage: 1 });
    assert.deepEqual(parseOffsetPage(new Query('/?page_token=***&page_size=x')), { page: 0, perPage: 250 });
    assert.deepEqual(parseOffsetPage(new Query('/')), { page: 0, perPage: 250 });
  });
});

describe('Go parsers Kratos answers through', () => {
  const message = (s: string) => {
    try {
      parseUUID(s);
    } catch (e) {
      assert.ok(e instanceof PortaError);
      assert.equal(e.code, 400);
      return e.message;
    }
    return 'ok';
  };
  test('gofrs/uuid FromString forms and error texts', () => {
    const id = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    assert.equal(parseUUID(id), id);
    assert.equal(parseUUID(id.toUpperCase()), id);
    assert.equal(parseUUID(id.replace(/-/g, '')), id);
    assert.equal(parseUUID(`{${id}}`), id);
    assert.equal(parseUUID(`urn:uuid:${id}`), id);
    assert.equal(message('BADUUID'), 'uuid: incorrect UUID length 7 in string "BADUUID"');
    assert.equal(message(''), 'uuid: incorrect UUID length 0 in string ""');
    assert.equal(message(`[${id}]`), `uuid: incorrect UUID format in string "[${id}]"`);
    assert.equal(message(`urn:uuix:${id}`), 'uuid: incorrect UUID format in string "urn:uuix:"');
    assert.equal(message(id.replace(/-/g, '_')), `uuid: incorrect UUID format in string "${id.replace(/-/g, '_')}"`);
    assert.equal(message(id.replace('6', 'g')), 'uuid: invalid UUID format');
    assert.equal(message('a\nb'), 'uuid: incorrect UUID length 3 in string "a\\nb"');
    assert.equal(message('é'), 'uuid: incorrect UUID length 2 in string "é"');
  });
  test('strconv.Quote escapes', () => {
    assert.equal(goQuote('a"b\\c\x07\x00\x7f\u2028 é'), '"a\\"b\\\\c\\a\\x00\\x7f\\u2028 é"');
  });
  test('strconv.ParseBool spellings', () => {
    for (const s of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(s), true);
    for (const s of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(s), false);
    for (const s of ['yes', 'tRUE', '', ' true', '2']) assert.equal(parseGoBool(s), undefined);
  });
  test('bearer token vectors (session/helper_test.go)', () => {
    for (const h of ['Bearer token', 'bearer token', 'beaRer token', 'BEARER token']) assert.equal(bearerToken(h), 'token');
    for (const h of ['notbearer token', 'token', '', undefined, 'Bearer  token', 'Bearer a b']) assert.equal(bearerToken(h), undefined);
  });
  test('Go time JSON: UTC, trailing zeros of the fraction dropped', () => {
    assert.equal(goTime(new Date('2026-01-02T03:04:05.120Z')), '2026-01-02T03:04:05.12Z');
    assert.equal(goTime(new Date('2026-01-02T03:04:05.000Z')), '2026-01-02T03:04:05Z');
    assert.equal(goTime(new Date('2026-01-02T03:04:05.007Z')), '2026-01-02T03:04:05.007Z');
  });
});
