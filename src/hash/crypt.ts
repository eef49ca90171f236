import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';

/*
 * md5-crypt and SHA-crypt (crypt(5) `$1$`, `$5$`, `$6$`), which Kratos imports as `$md5-crypt$`,
 * `$sha256-crypt$` and `$sha512-crypt$`. Node has no native implementation and SHA-crypt runs hundreds of
 * thousands of digest rounds, so both run in one worker thread; the functions below are written
 * self-contained because the worker is built from their source text.
 */

type HashFactory = typeof createHash;

/** md5-crypt of `pw` with `salt` (≤ 8 bytes): the 22-character digest part of `$1$salt$digest`. */
export function md5CryptDigest(hashFn: HashFactory, pw: Buffer, salt: Buffer): string {
  const alt = hashFn('md5').update(pw).update(salt).update(pw).digest();
  const ctx = hashFn('md5').update(pw).update('$1$').update(salt);
  for (let i = pw.length; i > 0; i -= 16) ctx.update(alt.subarray(0, Math.min(16, i)));
  for (let i = pw.length; i > 0; i >>= 1) ctx.update(i & 1 ? Buffer.alloc(1) : pw.subarray(0, 1));
  let fin = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const c = hashFn('md5');
    c.update(i & 1 ? pw : fin);
    if (i % 3) c.update(salt);
    if (i % 7) c.update(pw);
    c.update(i & 1 ? fin : pw);
    fin = c.digest();
  }
  const itoa = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let out = '';
  const groups = [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5]];
  for (const [a, b, c] of groups) {
    let v = (fin[a] << 16) | (fin[b] << 8) | fin[c];
    for (let k = 0; k < 4; k++, v >>= 6) out += itoa[v & 0x3f];
  }
  let last = fin[11];
  for (let k = 0; k < 2; k++, last >>= 6) out += itoa[last & 0x3f];
  return out;
}

/** SHA-crypt (Drepper) of `pw` with `salt` (≤ 16 bytes): the digest part of `$5$` / `$6$` hashes. */
export function shaCryptDigest(hashFn: HashFactory, alg: 'sha256' | 'sha512', pw: Buffer, salt: Buffer, rounds: number): string {
  const hl = alg === 'sha256' ? 32 : 64;
  const b = hashFn(alg).update(pw).update(salt).update(pw).digest();
  const a = hashFn(alg).update(pw).update(salt);
  let i: number;
  for (i = pw.length; i > hl; i -= hl) a.update(b);
  a.update(b.subarray(0, i));
  for (i = pw.length; i > 0; i >>= 1) a.update(i & 1 ? b : pw);
  const digestA = a.digest();
  const dp = hashFn(alg);
  for (i = 0; i < pw.length; i++) dp.update(pw);
  const dpDigest = dp.digest();
  const p = Buffer.alloc(pw.length);
  for (i = 0; i < pw.length; i++) p[i] = dpDigest[i % hl];
  const ds = hashFn(alg);
  for (i = 0; i < 16 + digestA[0]; i++) ds.update(salt);
  const dsDigest = ds.digest();
  const s = Buffer.alloc(salt.length);
  for (i = 0; i < salt.length; i++) s[i] = dsDigest[i % hl];
  let c = digestA;
  for (let r = 0; r < rounds; r++) {
    const h = hashFn(alg);
    h.update(r & 1 ? p : c);
    if (r % 3) h.update(s);
    if (r % 7) h.update(p);
    h.update(r & 1 ? c : p);
    c = h.digest();
  }
  const itoa = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let out = '';
  const emit = (w: number, n: number) => {
    for (let k = 0; k < n; k++, w >>= 6) out += itoa[w & 0x3f];
  };
  const third = hl === 32 ? 10 : 21;
  for (let k = 0; k < third; k++) {
    const idx = [k, k + third, k + 2 * third];
    // The byte order rotates with k, in opposite directions for the two digest sizes.
    const back = [idx[2], idx[0], idx[1]];
    const fwd = [idx[1], idx[2], idx[0]];
    const [x, y, z] = k % 3 === 0 ? idx : (k % 3 === 1) === (hl === 32) ? back : fwd;
    emit((c[x] << 16) | (c[y] << 8) | c[z], 4);
  }
  if (hl === 32) emit((c[31] << 8) | c[30], 3);
  else emit(c[63], 2);
  return out;
}

export type CryptJob = { kind: 'md5'; pw: Buffer; salt: Buffer } | { kind: 'sha256' | 'sha512'; pw: Buffer; salt: Buffer; rounds: number };

let worker: Worker | null = null;
let seq = 0;
const pending = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void }>();

function failAll(err: Error): void {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
  worker = null;
}

function getWorker(): Worker {
  if (worker) return worker;
  // `__name` covers the helper some TypeScript transpilers insert to keep function names.
  const source = `"use strict";
var __name = (f) => f;
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const md5crypt = ${md5CryptDigest.toString()};
const shacrypt = ${shaCryptDigest.toString()};
parentPort.on('message', (m) => {
  try {
    const pw = Buffer.from(m.pw), salt = Buffer.from(m.salt);
    const out = m.kind === 'md5' ? md5crypt(createHash, pw, salt) : shacrypt(createHash, m.kind, pw, salt, m.rounds);
    parentPort.postMessage({ id: m.id, out });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && e.message) });
  }
});`;
  const w = new Worker(source, { eval: true });
  w.unref();
  w.on('message', (m: { id: number; out?: string; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (pending.size === 0) w.unref();
    if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve(m.out as string);
  });
  w.on('error', (err) => failAll(err));
  w.on('exit', () => failAll(new Error('crypt worker exited')));
  worker = w;
  return w;
}

/** Computes a crypt digest in the worker thread (one job at a time, in order). */
export function runCrypt(job: CryptJob): Promise<string> {
  const w = getWorker();
  const id = ++seq;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    // Keep the process alive while a verification is outstanding; idle, the worker never holds it open.
    w.ref();
    w.postMessage({ id, ...job });
  });
}
