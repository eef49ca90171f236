import { Jsonnet } from '@hanazuki/node-jsonnet';
import { findImport } from './jsonnet-guard.js';

/**
 * The Jsonnet evaluator process (forked by JsonnetPool): one evaluation at a time, nothing but the
 * template and `ctx` as input, no imports. A run-away template is the parent's to kill, so the server's
 * event loop and its password-hashing threads never carry it.
 */
interface Job {
  id: number;
  code: string;
  ctx?: string;
  /** Only compile (parse and static checks), as at start-up. */
  check?: boolean;
}

async function run(job: Job): Promise<string> {
  if (findImport(job.code) >= 0) throw new Error('imports are not allowed in web_hook templates');
  const vm = new Jsonnet();
  // Jsonnet is lazy: an unused local is parsed and checked, never evaluated.
  if (job.check) return vm.evaluateSnippet(`local template = (\n${job.code}\n);\nnull\n`, 'template.jsonnet');
  if (job.ctx !== undefined) vm.tlaCode('ctx', job.ctx);
  return vm.evaluateSnippet(job.code, 'template.jsonnet');
}

process.on('message', (job: Job) => {
  run(job).then(
    (out) => process.send?.({ id: job.id, ok: true, out }),
    (err: unknown) => process.send?.({ id: job.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
