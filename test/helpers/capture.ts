import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the capture server received. */
export interface Captured {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

/** What the capture server answers to one request. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the sender's timeout must fire). */
  hang?: boolean;
  /** Answer after this long. */
  delayMs?: number;
}

/**
 * A real HTTP receiver on loopback (the `R` of hooks-and-session-events-spec Part D): records every
 * request and answers from a script (then `fallback`, 200 by default).
 */
export class CaptureServer {
  readonly requests: Captured[] = [];
  readonly script: Reply[] = [];
  fallback: Reply = { status: 200 };
  private server?: Server;
  private readonly hanging = new Set<ServerResponse>();
  private waiters: Array<() => void> = [];
  port = 0;

  static async start(port = 0): Promise<CaptureServer> {
    const c = new CaptureServer();
    await c.listen(port);
    return c;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(port = this.port): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        const reply = this.script.shift() ?? this.fallback;
        for (const w of this.waiters.splice(0)) w();
        if (reply.hang) {
          this.hanging.add(res);
          return;
        }
        const answer = () => {
          res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
          res.end(reply.body ?? '');
        };
        if (reply.delayMs) setTimeout(answer, reply.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops listening (the port stays this receiver's for `listen()` again); hanging requests are cut. */
  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Waits until `n` requests matched `filter` (or fails after `timeoutMs`). */
  async waitFor(n: number, timeoutMs = 15_000, filter: (c: Captured) => boolean = () => true): Promise<Captured[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.requests.filter(filter);
      if (got.length >= n) return got;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${n} requests, got ${got.length} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The parsed JSON bodies of what was received. */
  bodies(): any[] {
    return this.requests.map((r) => JSON.parse(r.body));
  }
}
