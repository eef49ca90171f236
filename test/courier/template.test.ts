import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parseTemplate, TemplateSyntaxError } from '../../src/courier/template/parse.js';
import { render } from '../../src/courier/template/render.js';
import { TemplateSet } from '../../src/courier/template/load.js';
import { ConfigError } from '../../src/config/load.js';
import { startApp } from '../helpers/harness.js';
import { startSink, type Sink } from '../helpers/smtp-sink.js';
import { enqueueMails } from '../helpers/courier.js';
import { createCourierWorker } from '../../src/cmd/serve.js';

/** Go text/template subset: what Kratos templates use works unchanged; anything else is refused by name. */

const MODEL = {
  to: 'ada@example.com',
  verification_code: '314159',
  verification_url: 'https://auth.example.com/verify?flow=1&code=<x>',
  identity: { id: 'i-1', traits: { email: 'ada@example.com', name: { first: 'Ada' } } },
  expires_in_minutes: 60,
};
const run = (src: string, html = false) => render(parseTemplate(src), MODEL, html);

// Written in the style of Kratos's built-in and documented templates: Go field names, map keys below
// `.Identity`, trim markers, comments and if/else on a field.
const KRATOS_STYLE = `{{- /* override in Kratos's format */ -}}
Hi {{ .Identity.traits.name.first }},

{{ if .VerificationURL -}}
  open {{ .VerificationURL }}
{{- else -}}
  no link
{{- end }}
code: {{.VerificationCode}} for {{ .To }} ({{ .ExpiresInMinutes }} min){{ if .Missing }}never{{ else if .To }}!{{ end }}
`;

describe('courier templates: the parser', () => {
  test('field substitution, nested map keys, trim markers, comments and if / else if / else', () => {
    assert.equal(
      run(KRATOS_STYLE),
      'Hi Ada,\n\nopen https://auth.example.com/verify?flow=1&code=<x>\ncode: 314159 for ada@example.com (60 min)!\n',
    );
    assert.equal(run('{{ .Nope }}|{{ .Identity.nope.deeper }}|'), '||');
    assert.equal(run('a {{- " " -}} b'.replace('" "', '/* c */')), 'ab');
  });

  test('values are HTML-escaped in HTML bodies, the template text is not', () => {
    assert.equal(run('<a href="{{ .VerificationURL }}">x</a>', true), '<a href="https://auth.example.com/verify?flow=1&amp;code=&lt;x&gt;">x</a>');
  });

  test('Kratos constructs outside the subset are refused, naming the construct and line', () => {
    const cases: Array<[string, string]> = [
      ['{{ range .Items }}x{{ end }}', 'range'],
      ['{{ with .Identity }}{{ .id }}{{ end }}', 'with'],
      ['{{define "en_US"}}x{{end}}', 'define'],
      ['{{ template "base" . }}', 'template'],
      ['{{ block "b" . }}x{{ end }}', 'block'],
      ['{{ .To | upper }}', '|'],
      ['{{ upper .To }}', 'upper'],
      ['{{ $t := .To }}', 'variable'],
      ['{{ "literal" }}', 'literal'],
      ['line1\n{{ if eq .To "x" }}y{{ end }}', 'eq'],
      ['{{ if .To }}never closed', 'if'],
      ['{{ end }}', 'end'],
      ['{{ .To', '{{'],
    ];
    for (const [src, construct] of cases) {
      assert.throws(() => parseTemplate(src), (err: unknown) => err instanceof TemplateSyntaxError && err.construct === construct, `${src} → ${construct}`);
    }
    assert.throws(() => parseTemplate('a\nb\n{{ range .X }}{{ end }}'), /at line 3/);
  });

  test('the built-in templates parse and use the Kratos model', () => {
    const set = TemplateSet.load();
    const q = set.renderQueued('verification_code_valid', MODEL);
    assert.match(q.subject, /314159/);
    assert.equal(q.subject, q.subject.trim());
    for (const type of ['recovery_code_valid', 'recovery_code_invalid', 'verification_code_invalid', 'login_code_valid'] as const) {
      assert.ok(set.renderQueued(type, { to: 'x@example.com', recovery_code: '1', login_code: '2' }).body.length > 20, type);
      assert.match(set.renderHtml(type, { to: 'x@example.com' }), /<html>/);
    }
  });
});

describe('courier templates: overrides', () => {
  let dir: string;
  let sink: Sink;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'porta-tpl-'));
    sink = await startSink();
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sink.close();
  });

  test('courier.templates file:// and base64:// and template_override_path files replace the built-ins in the delivered mail', async () => {
    const html = join(dir, 'body.html.gotmpl');
    writeFileSync(html, '<p>Code <b>{{ .VerificationCode }}</b> for {{ .Identity.traits.email }}: <a href="{{ .VerificationURL }}">verify</a></p>');
    const overrides = join(dir, 'overrides');
    mkdirSync(join(overrides, 'verification_code', 'valid'), { recursive: true });
    writeFileSync(join(overrides, 'verification_code', 'valid', 'email.body.plaintext.gotmpl'), KRATOS_STYLE);
    // Lower priority than the config key: this subject must not win.
    writeFileSync(join(overrides, 'verification_code', 'valid', 'email.subject.gotmpl'), 'from the override path');
    const subject = `base64://${Buffer.from('  Code {{ .VerificationCode }} from base64  \n').toString('base64')}`;
    const t = await startApp({
      config: {
        courier: {
          smtp: { connection_uri: `smtp://127.0.0.1:${sink.port}/?disable_starttls=true` },
          worker: { pull_wait: '50ms' },
          template_override_path: overrides,
          templates: { verification_code: { valid: { email: { subject, body: { html: pathToFileURL(html).href } } } } },
        },
      },
    });
    const w = createCourierWorker(t.config, t.app.registry.persister, t.app.registry.courier.templates, t.app.registry.logger);
    try {
      const [id] = await enqueueMails(t.app.registry.persister, [{ to: 'ada@example.com', model: MODEL }], t.app.registry.courier);
      w.start();
      await sink.waitFor(1);
      const { mail } = sink.received[0];
      assert.ok(mail.messageId?.startsWith(`<${id}@`));
      assert.equal(mail.subject, 'Code 314159 from base64');
      assert.equal(mail.text, 'Hi Ada,\n\nopen https://auth.example.com/verify?flow=1&code=<x>\ncode: 314159 for ada@example.com (60 min)!\n');
      assert.equal(mail.html, '<p>Code <b>314159</b> for ada@example.com: <a href="https://auth.example.com/verify?flow=1&amp;code=&lt;x&gt;">verify</a></p>');
    } finally {
      await w.stop();
      await t.close();
    }
  });

  test('a template with an unsupported construct is refused at load, naming the file or key and the construct', () => {
    const bad = join(dir, 'bad', 'recovery_code', 'invalid');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'email.body.gotmpl'), 'Hi\n{{ range .Identity.traits }}x{{ end }}');
    assert.throws(
      () => TemplateSet.load({ overridePath: join(dir, 'bad') }),
      (err: unknown) => err instanceof ConfigError && err.message.includes(join(bad, 'email.body.gotmpl')) && err.message.includes('"range"') && err.message.includes('line 2'),
    );
    const key = 'courier.templates.login_code.valid.email.subject';
    assert.throws(
      () => TemplateSet.load({ templates: { login_code: { valid: { email: { subject: `base64://${Buffer.from('{{ .LoginCode | upper }}').toString('base64')}` } } } } }),
      (err: unknown) => err instanceof ConfigError && err.message.includes(key) && err.message.includes('"|"'),
    );
    assert.throws(
      () => TemplateSet.load({ templates: { recovery_code: { valid: { email: { body: { plaintext: 'https://example.com/t.gotmpl' } } } } } }),
      (err: unknown) => err instanceof ConfigError && err.message.includes('courier.templates.recovery_code.valid.email.body.plaintext') && err.message.includes('not supported'),
    );
  });
});
