import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Configuration, FrontendApi } from '@ory/client';
import { forEachBackend, startApp, type TestApp } from '../../helpers/harness.js';
import type { CoreServices } from '../../../src/app.js';
import type { Strategy } from '../../../src/selfservice/strategy/types.js';
import { FlowFormError } from '../../../src/selfservice/flow/errors.js';
import { inputNode } from '../../../src/selfservice/flow/ui.js';

/**
 * A throw-away method, written only here, to prove that a method is a plug-in: it renders its own nodes,
 * parses its own fields and authenticates, and the login flow, the session and the SDK need no change.
 * The "pin" of an identity is its metadata_admin.pin (set through the admin API).
 */
function pinStrategy(registry: CoreServices): Strategy {
  const wrong = () => new FlowFormError([{ id: 4999001, text: 'Wrong PIN.', type: 'error' }]);
  return {
    id: 'pin',
    aal: 'aal1',
    enabled: () => true,
    login: {
      nodes: () => [
        inputNode('pin', 'pin', 'password', { required: true }),
        inputNode('pin', 'method', 'submit', { value: 'pin' }),
      ],
      parse(body) {
        const identifier = typeof body.identifier === 'string' ? body.identifier : undefined;
        const pin = typeof body.pin === 'string' ? body.pin : undefined;
        if (!identifier || !pin) throw new FlowFormError([], [{ name: 'pin', message: { id: 4000002, text: 'Property pin is missing.', type: 'error' } }]);
        return { identifier, pin };
      },
      refill: () => {},
      async authenticate(payload) {
        const { identifier, pin } = payload as { identifier: string; pin: string };
        const identity = await registry.identities.findByPasswordIdentifier(identifier);
        if (!identity || (identity.metadataAdmin as { pin?: string } | null)?.pin !== pin) throw wrong();
        return identity;
      },
    },
  };
}

forEachBackend('a self-service method registered from outside src/', (backend) => {
  let t: TestApp;
  let api: FrontendApi;
  let email: string;
  before(async () => {
    t = await startApp({ backend, listen: true, appOptions: { strategies: (r) => [pinStrategy(r)] } });
    api = new FrontendApi(new Configuration({ basePath: t.publicURL }));
    email = `pin-${backend}@example.org`;
    const res = await fetch(`${t.adminURL}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        schema_id: 'default',
        traits: { email, website: 'https://www.ory.sh' },
        credentials: { password: { config: { password: 'pin-test-passphrase-93k' } } },
        metadata_admin: { pin: '4711' },
      }),
    });
    assert.equal(res.status, 201, await res.text());
  });
  after(async () => t.close());

  test('its nodes are rendered after the built-in methods', async () => {
    const flow = await api.createNativeLoginFlow();
    const names = flow.data.ui.nodes.map((n) => `${n.group}:${(n.attributes as { name: string }).name}`);
    assert.deepEqual(names.slice(-2), ['pin:pin', 'pin:method']);
    assert.ok(names.includes('password:password'), 'the password method is still offered');
  });

  test('a login with it issues a session that names the method', async () => {
    const flow = await api.createNativeLoginFlow();
    const done = await api.updateLoginFlow({ flow: flow.data.id, updateLoginFlowBody: { method: 'pin', identifier: email, pin: '4711' } as never });
    assert.match(done.data.session_token ?? '', /^ory_st_/);
    assert.equal(done.data.session.identity?.traits.email, email);
    assert.equal(done.data.session.authentication_methods?.[0]?.method, 'pin');
    const who = await api.toSession({ xSessionToken: done.data.session_token });
    assert.equal(who.data.identity?.traits.email, email);
  });

  test('a wrong value is rendered into the flow as the method says', async () => {
    const flow = await api.createNativeLoginFlow();
    const res = await fetch(`${t.publicURL}/self-service/login?flow=${flow.data.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ method: 'pin', identifier: email, pin: '0000' }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { ui: { messages?: Array<{ id: number }> } };
    assert.deepEqual(body.ui.messages?.map((m) => m.id), [4999001]);
  });
});
