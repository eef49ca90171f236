import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { acceptsJson, isJsonRequest } from '../../src/http/negotiate.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;

// The one JSON-versus-browser decision every self-service endpoint uses (Kratos x.IsJSONRequest).
describe('isJsonRequest: Kratos x/isjsonrequest_test.go vectors (kratos-logout-spec.md §1.0.2)', () => {
  const rows: Array<[string, string, boolean]> = [
    ['firefox-66', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    ['safari-chrome', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8', true],
    ['ie8', 'image/jpeg,application/x-ms-application,image/gif,application/xaml+xml,image/pjpeg,application/x-ms-xbap,application/x-shockwave-flash,application/msword,*/*', true],
    ['ie8-any', '*/*', true],
    ['edge', 'text/html,application/xhtml+xml,image/jxr,*/*', true],
    ['opera', 'text/html,application/xml;q=0.9,application/xhtml+xml,image/png,image/webp,image/jpeg,image/gif,image/x-xbitmap,*/*;q=0.1', true],
    ['json-api', 'application/json', false],
    ['no-accept', '', true],
  ];
  for (const [ua, accept, browser] of rows) {
    test(`${ua}: ${browser ? 'browser' : 'JSON'}`, () => {
      assert.equal(isJsonRequest(req(accept ? { accept } : {})), !browser);
    });
  }
});

describe('isJsonRequest: derived rows and the contract\'s RFC 9110 rows', () => {
  // [accept, content-type, Kratos says JSON?, Porta says JSON?]
  const rows: Array<[string, string, boolean, boolean, string]> = [
    ['application/json, text/plain, */*', '', true, true, 'axios / @ory/client default'],
    ['*/*', '', false, false, 'fetch() default'],
    ['application/json, text/html', '', false, false, 'a q tie goes to the first server offer, text/html'],
    ['', 'application/json', true, true, 'Content-Type alone (Kratos HTTPRequestJSON)'],
    ['application/json; charset=utf-8', '', false, true, 'contract: parameters are fine (gddo drops the element)'],
    ['Application/JSON', '', false, true, 'contract: media types are case-insensitive (RFC 9110)'],
    ['', 'application/json; charset=utf-8', false, true, 'contract: Content-Type parameters are fine'],
    ['application/json;q=0.5, text/html;q=0.4', '', true, true, 'higher q wins'],
    ['text/html;q=0, application/json', '', true, true, 'q=0 excludes'],
    ['application/json;q=0', '', false, false, 'q=0 excludes'],
    ['application/*', '', true, true, 'type wildcard'],
    ['text/*, application/json;q=0.9', '', false, false, 'text/* preferred'],
  ];
  for (const [accept, ct, kratos, porta, why] of rows) {
    test(`Accept ${JSON.stringify(accept)} Content-Type ${JSON.stringify(ct)}: Kratos ${kratos ? 'JSON' : 'browser'}, Porta ${porta ? 'JSON' : 'browser'} (${why})`, () => {
      const h: Record<string, string> = {};
      if (accept) h.accept = accept;
      if (ct) h['content-type'] = ct;
      assert.equal(isJsonRequest(req(h)), porta);
    });
  }
  test('acceptsJson ignores the Content-Type (Kratos x.AcceptsJSON)', () => {
    assert.equal(acceptsJson(req({ 'content-type': 'application/json' })), false);
    assert.equal(acceptsJson(req({ accept: 'application/json' })), true);
  });
});

test('acceptsJson keeps no answer from one Accept header for another (its one-entry memo)', () => {
  const json = 'application/json';
  const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  for (const [accept, want] of [[json, true], [json, true], [html, false], [html, false], [json, true], ['application/json;q=0', false], [json, true]] as const) {
    assert.equal(acceptsJson(req({ accept })), want, accept);
  }
  assert.equal(acceptsJson(req({})), false);
});
