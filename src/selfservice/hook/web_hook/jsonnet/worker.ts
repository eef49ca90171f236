/**
 * The Jsonnet worker process (Kratos's `kratos jsonnet` worker): evaluates one snippet at a time for
 * the parent's pool and answers over IPC. It holds no secrets and no database handle; the parent
 * kills it when an evaluation overruns its time limit, so a runaway template never blocks a server
 * thread (libjsonnet evaluations cannot be cancelled in-process).
 */
import { createRequire } from 'node:module';

interface Job {
  id: number;
  snippet: string;
  /** The ctx top-level argument as JSON (Jsonnet code); absent for a compile check. */
  ctx?: string;
}

// The package's exports map hides its typings from NodeNext resolution: the few calls used are typed here.
interface JsonnetVM {
  maxStack(n: number): JsonnetVM;
  tlaCode(key: string, code: string): JsonnetVM;
  evaluateSnippet(snippet: string, filename?: string): Promise<string>;
}
const require = createRequire(import.meta.url);
const { Jsonnet } = require('@hanazuki/node-jsonnet') as { Jsonnet: new () => JsonnetVM };

process.on('message', (job: Job) => {
  const vm = new Jsonnet();
  if (job.ctx !== undefined) vm.tlaCode('ctx', job.ctx);
  vm.evaluateSnippet(job.snippet, 'body.jsonnet').then(
    (out) => process.send?.({ id: job.id, ok: true, out }),
    (err: unknown) => process.send?.({ id: job.id, ok: false, error: String((err as Error)?.message ?? err) }),
  );
});
process.on('disconnect', () => process.exit(0));
// The parent starts an evaluation's clock only once the worker is up (start-up is not the template's time).
process.send?.({ ready: true });
