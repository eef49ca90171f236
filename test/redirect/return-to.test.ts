import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from 'pino';
import { Config } from '../../src/config/config.js';
import { PortaError } from '../../src/http/errors.js';
import { ReturnToValidator } from '../../src/selfservice/flow/return-to.js';
import { goQuote } from '../../src/x/go/quote.js';
import { referenceConfig } from '../helpers/harness.js';

function build(allowed: string[], base = 'http://localhost:4433/') {
  const warnings: string[] = [];
  const logger = { warn: (_o: unknown, msg: string) => warnings.push(msg) } as unknown as Logger;
  const ref = referenceConfig(base);
  const values = { ...ref, dsn: 'memory', selfservice: { ...ref.selfservice, allowed_return_urls: allowed } };
  const v = new ReturnToValidator(Config.load({ values, env: {} }), logger);
  return { v, warnings };
}

/** The href, or the error as `400 <id|-> <reason>`. */
function run(v: ReturnToValidator, raw: string, def: string): string {
  try {
    return v.validate(raw, new URL(def)).href;
  } catch (err) {
    assert.ok(err instanceof PortaError, String(err));
    return `${err.code} ${err.id ?? '-'} ${err.reason}`;
  }
}
const forbidden = (url: string) => `400 self_service_flow_return_to_forbidden Requested return_to URL ${goQuote(url)} is not allowed.`;
const isForbidden = (out: string) => out.startsWith('400 ');

// Kratos x/redir/secure_redirect_test.go TestSecureRedirectToIsAllowedHost (kratos-logout-spec.md §2.3).
// `kratos` is Kratos's matcher result; `porta` differs only where the contract says so (noted).
const HOST_VECTORS: Array<{ name: string; allowed: string; rt: string; kratos: boolean; porta: boolean; why?: string }> = [
  { name: 'Domain is allowed', allowed: 'https://foo.bar', rt: 'https://foo.bar/redir', kratos: true, porta: true },
  {
    name: 'Domain prefix is allowed',
    allowed: 'https://*.bar',
    rt: 'https://foo.bar/redir',
    kratos: true,
    porta: false,
    why: '`*.bar` is not a registrable base, so the entry is dropped at start-up (Kratos master drops it at config load too)',
  },
  { name: 'Subdomain prefix is allowed', allowed: 'https://*.foo.bar', rt: 'https://auth.foo.bar/redir', kratos: true, porta: true },
  { name: 'Domain is not allowed', allowed: 'https://foo.baz', rt: 'https://foo.bar/redir', kratos: false, porta: false },
  { name: 'Domain wildcard is not allowed', allowed: 'https://*.foo.baz', rt: 'https://foo.bar/redir', kratos: false, porta: false },
  { name: 'Subdomain is not allowed', allowed: 'https://*.foo.baz', rt: 'https://auth.foo.bar/redir', kratos: false, porta: false },
  { name: 'Labelled wildcard matches subdomain', allowed: 'https://*.foo.com', rt: 'https://sub.foo.com/redir', kratos: true, porta: true },
  { name: 'Labelled wildcard does not match suffix host', allowed: 'https://*.foo.com', rt: 'https://evilfoo.com/redir', kratos: false, porta: false },
  { name: 'wildcard excludes the apex', allowed: 'https://*.foo.com', rt: 'https://foo.com/redir', kratos: false, porta: false },
  { name: 'wildcard compares the port', allowed: 'https://*.foo.com', rt: 'https://a.foo.com:8443/redir', kratos: false, porta: false },
];

describe('ReturnToValidator: Kratos host vectors', () => {
  for (const c of HOST_VECTORS) {
    test(`${c.name} (Kratos ${c.kratos}, Porta ${c.porta})${c.why ? `: ${c.why}` : ''}`, () => {
      const { v } = build([c.allowed]);
      const out = run(v, c.rt, 'https://default.example.net/');
      assert.equal(out, c.porta ? c.rt : forbidden(c.rt));
    });
  }
});

// TestSecureRedirectTo. Porta's default is always an absolute URL (config requires one), so Kratos's
// relative defaults (`/default-return-to`) become `http://127.0.0.1:4000/default-return-to` here and
// relative results come back absolute, as they do in Kratos's logout (spec §1.1 step 4).
const TS = 'http://127.0.0.1:4000';
const REDIRECT_VECTORS: Array<{ n: string; rt: string; def: string; allowed: string[]; base?: string; kratos: string; porta: string }> = [
  { n: '1', rt: '/foo/kratos#abcd', def: `${TS}/default-return-to`, allowed: ['/foo'], kratos: '/foo/kratos#abcd', porta: `${TS}/foo/kratos#abcd` },
  { n: '3', rt: '/foo', def: 'https://www.ory.sh/default-return-to', allowed: ['https://www.ory.sh'], kratos: 'https://www.ory.sh/foo', porta: 'https://www.ory.sh/foo' },
  { n: '4', rt: '/foo/kratos', def: `${TS}/default-return-to`, allowed: ['/foo'], kratos: '/foo/kratos', porta: `${TS}/foo/kratos` },
  { n: '5', rt: 'https://www.ory.sh/foo/kratos', def: `${TS}/default-return-to`, allowed: ['/foo'], kratos: 'error', porta: 'error' },
  { n: '6', rt: 'https://www.ory.sh/foo/kratos', def: 'https://www.ory.sh/default-return-to', allowed: ['https://www.ory.sh/foo'], kratos: 'https://www.ory.sh/foo/kratos', porta: 'https://www.ory.sh/foo/kratos' },
  { n: '7 host', rt: 'https://www.ory.sh/kratos', def: `${TS}/default-return-to`, allowed: ['https://www.not-ory.sh/'], kratos: 'error', porta: 'error' },
  { n: '8 path', rt: 'https://www.ory.sh/kratos', def: `${TS}/default-return-to`, allowed: ['https://www.ory.sh/not-kratos'], kratos: 'error', porta: 'error' },
  { n: '9 scheme', rt: 'https://www.ory.sh/kratos', def: `${TS}/default-return-to`, allowed: ['http://www.ory.sh/'], kratos: 'error', porta: 'error' },
  { n: '10 self-service', rt: '/self-service/foo', def: `${TS}/default-return-to`, allowed: [], base: `${TS}/`, kratos: `${TS}/self-service/foo`, porta: `${TS}/self-service/foo` },
  { n: '13a', rt: 'https://www.ory.sh/kratos', def: `${TS}/default-return-to`, allowed: ['https://*.ory.sh/'], kratos: 'https://www.ory.sh/kratos', porta: 'https://www.ory.sh/kratos' },
  { n: '13b', rt: 'https://even.deeper.nested.ory.sh/kratos', def: `${TS}/default-return-to`, allowed: ['https://*.ory.sh/'], kratos: 'https://even.deeper.nested.ory.sh/kratos', porta: 'https://even.deeper.nested.ory.sh/kratos' },
  { n: '14 scheme-relative', rt: '//www.ory.sh/kratos', def: 'https://www.ory.sh/docs', allowed: ['https://www.ory.sh'], kratos: 'https://www.ory.sh/kratos', porta: 'https://www.ory.sh/kratos' },
  // Contract: WHATWG parsing. `http:///kratos` is host `kratos` for a browser, not "the default's host".
  { n: '15 empty host (divergence)', rt: 'http:///kratos', def: 'https://www.ory.sh/docs', allowed: ['https://www.ory.sh', 'http://www.ory.sh'], kratos: 'http://www.ory.sh/kratos', porta: 'error' },
  // Logout-level and e2e vectors.
  { n: 'logout carry', rt: 'https://www.ory.sh', def: 'http://localhost:4455/login', allowed: ['https://www.ory.sh'], kratos: 'https://www.ory.sh', porta: 'https://www.ory.sh' },
  { n: 'logout refuse', rt: 'https://www.ory.com', def: 'http://localhost:4455/login', allowed: ['https://www.ory.sh'], kratos: 'error', porta: 'error' },
  { n: 'e2e empty path counts as /', rt: 'https://www.example.org', def: 'http://localhost:4455/login', allowed: ['https://www.example.org/'], kratos: 'https://www.example.org', porta: 'https://www.example.org' },
  // WHATWG resolution of path-relative values (Kratos keeps the relative path as is and only borrows
  // scheme and host; Go's String() then adds the leading slash).
  { n: 'path-relative (same result)', rt: 'dashboard', def: 'http://localhost:4455/login', allowed: ['http://localhost:4455'], kratos: 'http://localhost:4455/dashboard', porta: 'http://localhost:4455/dashboard' },
  { n: 'path-relative under a deeper default (divergence)', rt: 'dashboard', def: 'http://localhost:4455/a/b', allowed: ['http://localhost:4455'], kratos: 'http://localhost:4455/dashboard', porta: 'http://localhost:4455/a/dashboard' },
  { n: 'query-only (divergence)', rt: '?x=1', def: 'http://localhost:4455/login', allowed: ['http://localhost:4455'], kratos: 'http://localhost:4455?x=1', porta: 'http://localhost:4455/login?x=1' },
  // Contract: path match on a segment boundary.
  { n: 'segment: /foo allows /foo', rt: 'https://a.example.com/foo', def: TS, allowed: ['https://a.example.com/foo'], kratos: 'https://a.example.com/foo', porta: 'https://a.example.com/foo' },
  { n: 'segment: /foo allows /foo/x', rt: 'https://a.example.com/foo/x', def: TS, allowed: ['https://a.example.com/foo'], kratos: 'https://a.example.com/foo/x', porta: 'https://a.example.com/foo/x' },
  { n: 'segment: /foo refuses /foobar (divergence)', rt: 'https://a.example.com/foobar', def: TS, allowed: ['https://a.example.com/foo'], kratos: 'https://a.example.com/foobar', porta: 'error' },
  { n: 'segment: /foo/ is a prefix', rt: 'https://a.example.com/foo/bar', def: TS, allowed: ['https://a.example.com/foo/'], kratos: 'https://a.example.com/foo/bar', porta: 'https://a.example.com/foo/bar' },
  { n: 'segment: /foo/ refuses /foo', rt: 'https://a.example.com/foo', def: TS, allowed: ['https://a.example.com/foo/'], kratos: 'error', porta: 'error' },
  { n: 'self-service boundary (divergence)', rt: '/self-service-x', def: `${TS}/d`, allowed: [], base: `${TS}/`, kratos: `${TS}/self-service-x`, porta: 'error' },
  { n: 'traversal out of the allowed path', rt: 'https://a.example.com/foo/../admin', def: TS, allowed: ['https://a.example.com/foo'], kratos: 'https://a.example.com/foo/../admin', porta: 'error' },
  { n: 'encoded traversal out of the allowed path', rt: 'https://a.example.com/foo/%2e%2e/admin', def: TS, allowed: ['https://a.example.com/foo'], kratos: 'https://a.example.com/foo/%2e%2e/admin', porta: 'error' },
  { n: 'encoded slash in a scoped path', rt: 'https://a.example.com/foo%2f..%2fadmin', def: TS, allowed: ['https://a.example.com/foo'], kratos: 'https://a.example.com/foo%2f..%2fadmin', porta: 'error' },
  { n: 'path parameter in a scoped path', rt: 'https://a.example.com/foo/..;/admin', def: TS, allowed: ['https://a.example.com/foo'], kratos: 'https://a.example.com/foo/..;/admin', porta: 'error' },
  // Port and scheme are exact; the default port is the same origin (WHATWG).
  { n: 'port mismatch', rt: 'http://localhost:4456/', def: TS, allowed: ['http://localhost:4455'], kratos: 'error', porta: 'error' },
  { n: 'explicit default port is normalised', rt: 'https://www.ory.sh:443/x', def: TS, allowed: ['https://www.ory.sh/'], kratos: 'error', porta: 'https://www.ory.sh/x' },
  { n: 'host case is normalised', rt: 'https://WWW.ORY.SH/x', def: TS, allowed: ['https://www.ory.sh/'], kratos: 'https://WWW.ORY.SH/x', porta: 'https://www.ory.sh/x' },
  { n: 'trailing-dot host is another origin', rt: 'https://www.ory.sh./x', def: TS, allowed: ['https://www.ory.sh/'], kratos: 'error', porta: 'error' },
];

describe('ReturnToValidator: Kratos TestSecureRedirectTo vectors and contract rows', () => {
  for (const c of REDIRECT_VECTORS) {
    test(`#${c.n}: ${c.rt} (Kratos ${c.kratos}, Porta ${c.porta})`, () => {
      const { v } = build(c.allowed, c.base);
      const out = run(v, c.rt, c.def);
      if (c.porta === 'error') assert.ok(isForbidden(out), out);
      else assert.equal(out, c.porta);
    });
  }
  test('Kratos #2, #11, #12 (empty allow-list, OverrideDefaultReturnTo, UseSourceURL) have no Porta counterpart: the self-service URL is always allowed and the value is read once from the query', () => {
    const { v } = build([]);
    assert.deepEqual(v.allowList, ['http://localhost:4433/self-service']);
    assert.ok(isForbidden(run(v, '/foo', 'https://www.ory.sh/default-return-to')));
  });
  test('reason text quotes the URL exactly as Kratos (Go %q)', () => {
    const { v } = build(['https://www.ory.sh']);
    assert.equal(run(v, 'https://www.ory.com', TS), '400 self_service_flow_return_to_forbidden Requested return_to URL "https://www.ory.com" is not allowed.');
    assert.equal(goQuote('a"b\\c\td\x01é\u00a0'), '"a\\"b\\\\c\\td\\x01é\\u00a0"');
  });
  test('relative values resolve against the given default (the logout default in logout)', () => {
    const { v } = build(['http://localhost:4455']);
    assert.equal(run(v, '/dashboard', 'http://localhost:4455/login'), 'http://localhost:4455/dashboard');
    assert.equal(run(v, '//www.ory.sh/kratos', 'http://localhost:4455/login'), forbidden('http://www.ory.sh/kratos'));
  });
});

describe('ReturnToValidator: hostile forms refused before matching (contract)', () => {
  const { v } = build(['https://app.example.com/', 'http://localhost:4455']);
  const cases: Array<[string, string]> = [
    ['control character', 'https://app.example.com/\tx'],
    ['NUL', '/\x00'],
    ['DEL', '/a\x7f'],
    ['backslash', '/\\evil.com'],
    ['backslash inside an allowed URL', 'https://app.example.com\\@evil.com'],
    ['leading space', ' https://app.example.com/'],
    ['trailing space', 'https://app.example.com/ '],
    ['user info', 'https://user@app.example.com/'],
    ['user info and password', 'https://u:p@app.example.com/'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['custom scheme', 'myapp://callback'],
    ['ftp', 'ftp://app.example.com/'],
  ];
  for (const [name, raw] of cases) {
    test(`${name}: ${JSON.stringify(raw)}`, () => {
      assert.equal(run(v, raw, 'https://app.example.com/'), forbidden(raw));
    });
  }
  test('unparseable values fail closed with Kratos\'s parse reason', () => {
    const out = run(v, 'https://evil.c\u2100.example.com', 'https://app.example.com/');
    assert.match(out, /^400 - Unable to parse the return_to query parameter as an URL: /);
  });
});

describe('ReturnToValidator: href', () => {
  const { v } = build(['https://www.ory.sh/', 'http://localhost:4455']);
  const cases: Array<[string, string]> = [
    ['https://www.ory.sh', 'https://www.ory.sh'],
    ['https://www.ory.sh/', 'https://www.ory.sh/'],
    ['https://www.ory.sh?x=1', 'https://www.ory.sh/?x=1'],
    ['https://www.ory.sh#x', 'https://www.ory.sh/#x'],
    ['https://www.ory.sh/a b', 'https://www.ory.sh/a%20b'],
    ['https://www.ory.sh/é', 'https://www.ory.sh/%C3%A9'],
    ['https://www.ory.sh/a/./b/../c', 'https://www.ory.sh/a/c'],
    ['HTTPS://www.ory.sh/x', 'https://www.ory.sh/x'],
    ['/x?y=<z>', 'http://localhost:4455/x?y=%3Cz%3E'],
  ];
  for (const [raw, href] of cases) test(`${raw} → ${href}`, () => assert.equal(run(v, raw, 'http://localhost:4455/login'), href));
});

describe('ReturnToValidator: allow-list construction', () => {
  test('Kratos TestSelfServiceBrowserAllowedReturnToDomains: unsafe wildcards are dropped with a warning', () => {
    const { v, warnings } = build([
      'https://foo.com',
      'https://*.foo.com',
      'https://app.foo.com/*',
      'https://*',
      'https://*.com',
      'https://*.co.uk',
      'https://*foo.com',
      'https://foo.*.com',
      'https://*.vercel.app',
      '',
    ]);
    assert.deepEqual(v.allowList, ['https://foo.com', 'https://*.foo.com', 'https://app.foo.com/*', 'http://localhost:4433/self-service']);
    assert.equal(warnings.length, 6);
    for (const w of warnings) assert.match(w, /unsafe wildcard/);
  });
  test('Kratos config stub list', () => {
    const { v } = build([
      'http://return-to-1-test.ory.sh/',
      'http://return-to-2-test.ory.sh/',
      'http://*.wildcards.ory.sh',
      'http://*.sh',
      'http://*.com',
      'http://*.com.pl',
      'http://*',
      '/return-to-relative-test/',
    ]);
    assert.deepEqual(v.allowList.slice(0, -1), [
      'http://return-to-1-test.ory.sh/',
      'http://return-to-2-test.ory.sh/',
      'http://*.wildcards.ory.sh',
      '/return-to-relative-test/',
    ]);
  });
  test('the self-service allowance follows the public base path', () => {
    const { v } = build([], 'https://h.example.com/.ory/kratos/public/');
    assert.deepEqual(v.allowList, ['https://h.example.com/.ory/kratos/public/self-service']);
    assert.equal(run(v, 'https://h.example.com/.ory/kratos/public/self-service/login', TS), 'https://h.example.com/.ory/kratos/public/self-service/login');
  });
  test('non-http entries and entries with user info are dropped', () => {
    const { v, warnings } = build(['myapp://cb', 'https://u@x.example.com/', 'not a url']);
    assert.deepEqual(v.allowList, ['http://localhost:4433/self-service']);
    assert.equal(warnings.length, 3);
  });
});
