import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'cookie';
import { cookieValue } from '../../src/x/cookie-header.js';
import { seededBelow } from '../helpers/seeded.js';

const NAME = 'ory_kratos_session';
const identity = { decode: (s: string) => s };

test('cookieValue reads the named cookie as cookie.parse does, on hand-picked headers', () => {
  const cases: Array<[string, string | undefined]> = [
    ['', undefined],
    ['ory_kratos_session=abc', 'abc'],
    ['  ory_kratos_session \t=  abc \t', 'abc'],
    ['a=1; ory_kratos_session=abc; b=2', 'abc'],
    ['ory_kratos_session=first; ory_kratos_session=second', 'first'],
    // A pair without "=" is skipped, and the name inside another pair's name or value is no match.
    ['ory_kratos_session; ory_kratos_session=x', 'x'],
    ['x_ory_kratos_session=1; ory_kratos_session_x=2', undefined],
    ['a=ory_kratos_session=1; b=2', undefined],
    ['junk ory_kratos_session=1', undefined],
    ['ory_kratos_session=', ''],
    ['ory_kratos_session=a=b==; c=d', 'a=b=='],
    ['ory_kratos_session="quoted"', '"quoted"'],
    ['ory_kratos_session=%41', '%41'],
    [';;ory_kratos_session=v;;', 'v'],
    ['ory_kratos_session', undefined],
  ];
  for (const [header, want] of cases) {
    assert.equal(cookieValue(header, NAME), want, JSON.stringify(header));
    assert.equal(cookieValue(header, NAME), parse(header, identity)[NAME], `library disagrees on ${JSON.stringify(header)}`);
  }
});

test('cookieValue agrees with cookie.parse on generated headers', () => {
  // A small alphabet of the characters that matter to the reading (separators, blanks, the name's
  // pieces), so that every odd placement comes up often.
  const pieces = ['ory_kratos_session', 'ory_kratos_session=', ' ory_kratos_session =', 'ory_kratos', '_session', 'x', '=', ';', '; ', ' ', '\t', 'v', '%', 'a=b', '"'];
  const rand = seededBelow(42);
  let matched = 0;
  for (let i = 0; i < 20000; i++) {
    let header = '';
    const parts = 1 + rand(12);
    for (let j = 0; j < parts; j++) header += pieces[rand(pieces.length)];
    const want = parse(header, identity)[NAME];
    assert.equal(cookieValue(header, NAME), want, JSON.stringify(header));
    if (want !== undefined) matched++;
  }
  // The generator must actually produce headers that carry the cookie, or the comparison proves little.
  assert.ok(matched > 500, `only ${matched} generated headers carried the cookie`);
});
