#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's test runner (TypeScript through tsx), two files at a time.
// With CI=true, PostgreSQL and Chromium are required: their absence fails the run instead of skipping.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'fixtures' || name === 'helpers' ? [] : find(p);
    return p.endsWith('.test.ts') ? [p] : [];
  });
}

const filter = process.argv.slice(2);
const files = find('test').filter((f) => filter.length === 0 || filter.some((x) => f.includes(x))).sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
if (process.env.CI === 'true' && !process.env.PORTA_TEST_PG_URL) {
  console.error('CI=true: PORTA_TEST_PG_URL must point at a PostgreSQL server (scripts/ci-postgres.sh)');
  process.exit(1);
}
// The build, the tests' own typecheck and the lint come first: each fails the run on its own.
for (const [cmd, ...args] of [
  ['npx', 'tsc', '-p', 'tsconfig.json'],
  ['npx', 'tsc', '-p', 'tsconfig.test.json', '--noEmit'],
  ['npx', 'eslint', 'src', 'test', 'bench'],
]) {
  const step = spawnSync(cmd, args, { stdio: 'inherit' });
  if (step.status !== 0) process.exit(step.status ?? 1);
}
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(res.status ?? 1);
