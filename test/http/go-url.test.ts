import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyWithQuery, goEncodeValues, goParseQuery, goQueryEscape } from '../../src/selfservice/errors/redirect.js';

// Kratos writes logout_url and error-UI URLs with Go's net/url; clients compare the strings.
test('goQueryEscape = Go url.QueryEscape', () => {
  const vectors: Array<[string, string]> = [
    ['https://www.ory.sh', 'https%3A%2F%2Fwww.ory.sh'],
    ['a b', 'a+b'],
    ['-_.~', '-_.~'],
    ["!'()*", '%21%27%28%29%2A'],
    ['é', '%C3%A9'],
    ['a+b&c=d#e', 'a%2Bb%26c%3Dd%23e'],
    ['ory_lo_AbC123', 'ory_lo_AbC123'],
  ];
  for (const [input, go] of vectors) assert.equal(goQueryEscape(input), go, input);
});

test('goEncodeValues sorts keys (return_to before token)', () => {
  const q = new Map([
    ['token', ['ory_lo_x']],
    ['return_to', ['http://localhost:4455/a b']],
  ]);
  assert.equal(goEncodeValues(q), 'return_to=http%3A%2F%2Flocalhost%3A4455%2Fa+b&token=ory_lo_x');
});

test('copyWithQuery keeps the URL\'s query, sets the key, re-encodes the Go way', () => {
  assert.equal(copyWithQuery(new URL('http://localhost:4455/error'), { id: 'x' }), 'http://localhost:4455/error?id=x');
  assert.equal(copyWithQuery(new URL('http://h/e?z=1&a=b%20c&id=old'), { id: 'new' }), 'http://h/e?a=b+c&id=new&z=1');
  assert.equal(copyWithQuery(new URL('http://h/e?x=1;y=2&ok=1'), { id: 'i' }), 'http://h/e?id=i&ok=1');
});

test('goParseQuery drops pairs Go rejects', () => {
  assert.deepEqual([...goParseQuery('?a=1&b=%zz&c=%20&a=2')], [
    ['a', ['1', '2']],
    ['c', [' ']],
  ]);
});
