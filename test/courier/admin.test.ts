import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Configuration, CourierApi } from '@ory/client';
import { forEachBackend, startApp, type TestApp } from '../helpers/harness.js';
import { enqueueMails } from '../helpers/courier.js';

/** GET /admin/courier/messages[/{id}]: Kratos's shapes, filters, keyset pagination, errors and redaction. */

const parseLinks = (h: string | null) =>
  Object.fromEntries((h ?? '').split(',').filter(Boolean).map((part) => {
    const m = /<([^>]*)>; rel="([a-z]+)"/.exec(part.trim());
    return [m![2], m![1]];
  }));

forEachBackend('courier admin API', (backend) => {
  let t: TestApp;
  let api: CourierApi;
  let ids: string[];
  before(async () => {
    t = await startApp({ backend, listen: true, config: { dev: false } });
    api = new CourierApi(new Configuration({ basePath: t.adminURL }));
    ids = [];
    // Separate writes so created_at orders them; 12 messages, 3 of them to one recipient.
    for (let i = 0; i < 12; i++) {
      ids.push(...(await enqueueMails(t.app.registry.persister, [{ to: i % 4 === 0 ? 'same@example.com' : `user${i}@example.com` }])));
      await new Promise((r) => setTimeout(r, 2));
    }
  });
  after(() => t.close());

  test('lists through @ory/client: newest first, Kratos fields, redacted subject and body outside dev mode, no dispatches', async () => {
    const res = await api.listCourierMessages({ pageSize: 100 });
    assert.equal(res.status, 200);
    assert.deepEqual(res.data.map((m) => m.id), [...ids].reverse());
    const m = res.data[0];
    assert.equal(m.type, 'email');
    assert.equal(m.channel, 'email');
    assert.equal(m.status, 'queued');
    assert.equal(m.template_type, 'verification_code_valid');
    assert.equal(m.send_count, 0);
    assert.equal(m.subject, '<redacted-unless-dev-mode>');
    assert.equal(m.body, '<redacted-unless-dev-mode>');
    assert.equal('dispatches' in m, false);
    assert.ok(Date.parse(m.created_at) > 0 && Date.parse(m.updated_at) > 0);
  });

  test('filters by recipient (exact) and status; an unknown status is a 400', async () => {
    const same = await api.listCourierMessages({ recipient: 'same@example.com' });
    assert.deepEqual(same.data.map((m) => m.id), [ids[8], ids[4], ids[0]]);
    assert.equal((await api.listCourierMessages({ recipient: 'SAME@example.com' })).data.length, 0);
    assert.equal((await api.listCourierMessages({ status: 'queued', pageSize: 100 })).data.length, 12);
    assert.equal((await api.listCourierMessages({ status: 'sent' })).data.length, 0);
    const bad = await fetch(`${t.adminURL}/admin/courier/messages?status=invalid_status`);
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as any;
    assert.equal(body.error.code, 400);
    assert.equal(body.error.reason, 'Message status is not valid');
  });

  test('pages with Link first/next (default page size 10); the last page has no next; bad tokens and sizes are 400s', async () => {
    const first = await fetch(`${t.adminURL}/admin/courier/messages`);
    const page1 = (await first.json()) as any[];
    assert.equal(page1.length, 10);
    const links = parseLinks(first.headers.get('link'));
    assert.ok(links.first && links.next, first.headers.get('link') ?? '');
    assert.ok(links.first.startsWith('/admin/courier/messages?') || links.first.includes('/admin/courier/messages?'));
    const next = await fetch(new URL(links.next, t.adminURL));
    const page2 = (await next.json()) as any[];
    assert.deepEqual([...page1, ...page2].map((m) => m.id), [...ids].reverse());
    assert.equal(parseLinks(next.headers.get('link')).next, undefined);
    const again = await fetch(new URL(parseLinks(next.headers.get('link')).first, t.adminURL));
    assert.deepEqual(((await again.json()) as any[]).map((m) => m.id), page1.map((m) => m.id));
    // Through the SDK with its page_token parameter, filter kept across pages.
    const token = new URL(links.next, t.adminURL).searchParams.get('page_token') ?? '';
    assert.equal((await api.listCourierMessages({ pageToken: token })).data.length, 2);
    for (const q of ['page_token=not%20a%20token', 'page_token=AAAA', 'page_size=ten']) {
      const r = await fetch(`${t.adminURL}/admin/courier/messages?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(((await r.json()) as any).error.code, 400);
    }
  });

  test('gets one message with its dispatches through @ory/client; bad and unknown ids answer as Kratos', async () => {
    const res = await api.getCourierMessage({ id: ids[3] });
    assert.equal(res.data.id, ids[3]);
    assert.deepEqual(res.data.dispatches, []);
    assert.equal(res.data.recipient, 'user3@example.com');
    const bad = await fetch(`${t.adminURL}/admin/courier/messages/not-a-uuid`);
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { error: { code: 400, status: 'Bad Request', message: 'uuid: incorrect UUID length 10 in string "not-a-uuid"' } });
    const missing = await fetch(`${t.adminURL}/admin/courier/messages/00000000-0000-0000-0000-000000000000`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: { code: 404, status: 'Not Found', message: 'Unable to locate the resource' } });
  });

  test('the public port answers 307 to the admin server for both paths, query kept', async () => {
    for (const path of ['/admin/courier/messages?status=queued', `/admin/courier/messages/${ids[0]}`]) {
      const res = await fetch(`${t.publicURL}${path}`, { redirect: 'manual' });
      assert.equal(res.status, 307, path);
      assert.equal(res.headers.get('location'), `${t.adminURL}${path}`);
    }
  });

  test('dev mode shows subject and body', async () => {
    const dev = await startApp({ backend, config: { dev: true } });
    try {
      const [id] = await enqueueMails(dev.app.registry.persister, [{ to: 'dev@example.com', model: { verification_code: '777888' } }]);
      const res = await dev.app.admin.inject({ method: 'GET', url: `/admin/courier/messages/${id}` });
      const m = res.json();
      assert.match(m.subject, /777888/);
      assert.match(m.body, /777888/);
      const list = await dev.app.admin.inject({ method: 'GET', url: '/admin/courier/messages' });
      assert.match(list.json()[0].body, /777888/);
    } finally {
      await dev.close();
    }
  });
});
