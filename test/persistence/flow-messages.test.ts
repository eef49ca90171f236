import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { forEachBackend } from '../helpers/harness.js';
import type { Persister } from '../../src/persistence/types.js';
import type { StoredFlow } from '../../src/selfservice/flow/types.js';
import type { NewCourierMessage } from '../../src/courier/message.js';
import { at, openBackend, type Opened } from './fixtures.js';

const flow = (): StoredFlow => ({
  id: randomUUID(),
  kind: 'verification',
  type: 'browser',
  expiresAt: at(600_000),
  issuedAt: at(),
  csrfToken: 'csrf',
  data: { state: 'choose_method' },
  createdAt: at(),
  updatedAt: at(),
});

const message = (recipient: string, id: string = randomUUID()): NewCourierMessage => ({
  id,
  recipient,
  subject: 'Your code',
  body: 'Your code is 123456',
  templateType: 'verification_code_valid',
  templateData: { to: recipient },
});

/** A flow change and the mail it causes are one transaction: both are stored, or neither. */
forEachBackend('persistence: a flow update queues its mail in the same transaction', (backend) => {
  let o: Opened;
  let p: Persister;
  before(async () => {
    o = await openBackend(backend);
    p = o.persister;
  });
  after(() => o.close());

  test('the new state and the message are both stored', async () => {
    const f = flow();
    await p.flows.createFlow(f);
    f.data = { state: 'sent_email' };
    const m = message(`both-${backend}@example.org`);
    await p.flows.updateFlow(f, { messages: [m] });
    assert.equal((await p.flows.getFlow('verification', f.id))?.data.state, 'sent_email');
    const stored = await p.courier.getMessage(m.id);
    assert.equal(stored?.recipient, m.recipient);
    assert.equal(stored?.status, 'queued');
  });

  test('a message that cannot be written leaves the flow unchanged', async () => {
    const f = flow();
    await p.flows.createFlow(f);
    const taken = message(`taken-${backend}@example.org`);
    await p.courier.enqueue([taken]);
    f.data = { state: 'sent_email' };
    // The same id again violates the primary key: the whole transaction must roll back.
    await assert.rejects(p.flows.updateFlow(f, { messages: [message(`other-${backend}@example.org`, taken.id)] }));
    assert.equal((await p.flows.getFlow('verification', f.id))?.data.state, 'choose_method');
  });
});
