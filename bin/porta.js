#!/usr/bin/env -S node --max-semi-space-size=8
// The flag caps V8's young generation at 2 x 8 MiB instead of 2 x 16 MiB: under load a server's young
// generation grows to its cap and stays there, and at half of it whoami and the logouts keep their
// throughput while the process's peak RSS falls by 13-19 MiB on SQLite and about 45 MiB on PostgreSQL
// (docs/benchmarks.md). It must be given at startup (V8 sizes the heap once), hence the launcher line;
// `npm start` passes the same flag.
import '../dist/cmd/index.js';
