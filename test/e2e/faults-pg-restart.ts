import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnPorta, type PortaProcess } from '../helpers/spawn.js';
import { createDatabaseOn, PRIVATE_PG_SKIP, startPrivateCluster, type PrivateCluster } from '../helpers/pg-cluster.js';
import { acknowledged, LOGOUT_RETURN, logout, request, seedSessions, verifySessions, whoami, type Answer, type Seeded } from './faults-load.js';

// Issue 8, faults: the PostgreSQL server stops (a crash, then a clean shutdown) and comes back while
// whoami, logouts and admin writes run. Porta answers 503 in the Kratos format meanwhile (never a 500,
// never a hang), /health/ready says 503, and it recovers by itself; no acknowledged logout is lost.
// The shared test cluster is never restarted: this suite runs its own (test/helpers/pg-cluster.ts).

const BOUND_MS = 15_000; // no request may take longer: connect (3 s) + statement (6 s) bounds, plus slack
const DOWN_MS = 3_000;
const WORKERS = 6;
const PER_PHASE = 40; // logout targets per phase (half API, half browser)

const UNAVAILABLE = {
  error: {
    code: 503,
    status: 'Service Unavailable',
    reason: 'The database is temporarily unavailable. Please try again later.',
    message: 'The service is temporarily unavailable',
  },
};

type Phase = 'before' | 'down' | 'after';
interface Record_ {
  what: 'whoami' | 'logout' | 'admin';
  phase: Phase;
  answer: Answer;
  contentType?: string;
}

/** The scenario for one way of stopping the server; each test file runs one (each gets its own cluster). */
export function pgRestartSuite(mode: 'immediate' | 'fast'): void {
  const variant = mode === 'immediate' ? 'a crash (pg_ctl stop -m immediate)' : 'a clean shutdown (pg_ctl stop -m fast)';
  describe(`PostgreSQL restarted under load: ${variant} [private postgres]`, { skip: PRIVATE_PG_SKIP }, () => {
    let cluster: PrivateCluster;
    let p: PortaProcess;
    let sessions: Seeded[];

    before(async () => {
      cluster = await startPrivateCluster();
      const dsn = await createDatabaseOn(cluster, 'porta');
      sessions = await seedSessions('postgres', dsn, { api: (3 * PER_PHASE) / 2, browser: (3 * PER_PHASE) / 2, bystander: 40 });
      p = await spawnPorta({ database: { dsn, drop: async () => {} } });
    });
    after(async () => {
      await p?.stop();
      cluster?.destroy();
    });

    test('503 while down, then recovery without a Porta restart; no acknowledged logout lost', async (t) => {
      // Logout targets for each phase, and bystanders that only call whoami.
      const bystanders = sessions.filter((s) => s.kind === 'bystander');
      const queues: Record<Phase, Seeded[]> = { before: [], down: [], after: [] };
      sessions.filter((s) => s.kind !== 'bystander').forEach((s, i) => queues[(['before', 'down', 'after'] as const)[i % 3]].push(s));

      const records: Record_[] = [];
      let phase: Phase = 'before';
      let running = true;
      const ackedIn: Record<Phase, number> = { before: 0, down: 0, after: 0 };
      const ok200After = { whoami: 0 };

      const worker = async (n: number) => {
        for (let i = 0; running; i++) {
          const ph = phase;
          const target = i % 2 === 0 ? queues[ph].shift() : undefined;
          if (target) {
            const answer = await logout(p.publicURL, target, BOUND_MS);
            if (acknowledged(target, answer)) {
              target.outcome = 'acked';
              ackedIn[ph]++;
            } else target.outcome = 'unknown';
            records.push({ what: 'logout', phase: ph, answer });
          } else {
            const s = bystanders[(n * 31 + i) % bystanders.length];
            const answer = await whoami(p.publicURL, s, BOUND_MS);
            if (ph === 'after' && answer.status === 200) ok200After.whoami++;
            records.push({ what: 'whoami', phase: ph, answer });
          }
          await sleep(2);
        }
      };
      // Identity creation runs in a transaction: a connection that dies inside one must not take Porta down.
      const admin = async () => {
        for (let i = 0; running; i++) {
          const ph = phase;
          const email = `fault-${mode}-${i}-${Date.now()}@example.org`;
          const answer = await request(
            `${p.adminURL}/admin/identities`,
            { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ schema_id: 'default', traits: { email, website: 'https://www.ory.sh/' } }) },
            BOUND_MS,
          );
          records.push({ what: 'admin', phase: ph, answer });
          await sleep(5);
        }
      };
      const load = Promise.all([...Array.from({ length: WORKERS }, (_, n) => worker(n)), admin()]);

      const waitFor = async (what: string, cond: () => boolean | Promise<boolean>, ms = 20_000) => {
        const deadline = Date.now() + ms;
        while (!(await cond())) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await sleep(25);
        }
      };
      const ready = async (base: string) => request(`${base}/health/ready`, {}, BOUND_MS);

      try {
        await waitFor('logouts acknowledged before the stop', () => ackedIn.before >= 10);
        const t0 = Date.now();
        phase = 'down';
        await cluster.stop(mode);
        t.diagnostic(`stopped after ${Date.now() - t0} ms`);
        const downSince = Date.now();
        for (const base of [p.publicURL, p.adminURL]) {
          const r = await ready(base);
          assert.equal(r.status, 503, `${base}/health/ready while the database is down: ${r.body}`);
          assert.deepEqual(JSON.parse(r.body), { errors: { database: 'the database is not reachable' } });
        }
        await sleep(Math.max(0, DOWN_MS - (Date.now() - downSince)));
        await cluster.start();
        phase = 'after';
        t.diagnostic(`started again after ${Date.now() - t0} ms`);
        await waitFor('/health/ready to answer 200 again', async () => (await ready(p.publicURL)).status === 200);
        t.diagnostic(`ready again after ${Date.now() - t0} ms`);
        assert.equal((await ready(p.adminURL)).status, 200);
        await waitFor('logouts and whoami to work again', () => ackedIn.after >= 10 && ok200After.whoami >= 10);
      } finally {
        running = false;
        await load;
      }

      assert.equal(p.child.exitCode, null, `Porta is still running:\n${p.stderr()}`);
      const tally: Record<string, number> = {};
      const wrong: string[] = [];
      for (const r of records) {
        const a = r.answer;
        const key = `${r.phase}/${r.what}/${a.failure ?? a.status}`;
        tally[key] = (tally[key] ?? 0) + 1;
        if (a.failure) {
          wrong.push(`${key}: no answer (${a.body})`);
          continue;
        }
        if (a.status === 503) {
          let body: unknown;
          try {
            body = JSON.parse(a.body);
          } catch {
            body = a.body;
          }
          if (JSON.stringify(body) !== JSON.stringify(UNAVAILABLE)) wrong.push(`${key}: ${a.body}`);
          continue;
        }
        const fine =
          r.what === 'whoami' ? a.status === 200 : r.what === 'admin' ? a.status === 201 : a.status === 204 || (a.status === 303 && a.location === LOGOUT_RETURN);
        if (!fine) wrong.push(`${key}: ${a.location ?? ''} ${a.body.slice(0, 300)}`);
      }
      t.diagnostic(JSON.stringify(tally));
      assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} answers were neither a success nor the Kratos 503`);
      const downAnswers = records.filter((r) => r.phase === 'down' && r.answer.status === 503).length;
      assert.ok(downAnswers > 0, 'requests were answered 503 while the database was down');

      // Every logout acknowledged in any phase is still in force; every session nobody logged out works.
      await verifySessions(p.publicURL, sessions);
    });
  });
}
