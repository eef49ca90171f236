import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a capture server received. */
export interface Captured {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when the request had been read completely. */
  at: number;
}

/** How to answer one request: a status with optional headers and body, after a delay, or never. */
export interface Answer {
  status?: number;
  body?: string | object;
  headers?: Record<string, string>;
  delayMs?: number;
  hang?: boolean;
}

/**
 * A real HTTP receiver on loopback for web hooks: records every request (method, path, headers, raw
 * body) and answers from a script (one Answer per request in order, then `fallback`).
 */
export class CaptureServer {
  readonly requests: Captured[] = [];
  private script: Answer[] = [];
  private fallback: Answer = { status: 200, body: '{}' };
  private waiters: Array<() => void> = [];
  private readonly sockets = new Set<import('node:net').Socket>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<CaptureServer> {
    const server = createServer();
    const cap = new CaptureServer(server);
    server.on('connection', (s) => {
      cap.sockets.add(s);
      s.on('close', () => cap.sockets.delete(s));
    });
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        cap.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        for (const w of cap.waiters.splice(0)) w();
        const answer = cap.script.shift() ?? cap.fallback;
        if (answer.hang) return;
        const send = () => {
          const body = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
          res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
          res.end(body);
        };
        if (answer.delayMs) setTimeout(send, answer.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return cap;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }
  /** http://127.0.0.1:<port><path> */
  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Answers the next requests in this order, then `fallback` (200 `{}` unless set). */
  answer(...answers: Answer[]): this {
    this.script.push(...answers);
    return this;
  }
  otherwise(answer: Answer): this {
    this.fallback = answer;
    return this;
  }
  reset(): void {
    this.requests.length = 0;
    this.script = [];
    this.fallback = { status: 200, body: '{}' };
  }

  /** Resolves once at least `n` requests arrived; rejects after `timeoutMs`. */
  async waitFor(n: number, timeoutMs = 10_000): Promise<Captured[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${n} request(s), got ${this.requests.length}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.requests;
  }

  /** Parsed JSON body of request i. */
  json(i = 0): any {
    return JSON.parse(this.requests[i].body);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** `base64://` URI of a Jsonnet template. */
export const b64 = (template: string): string => `base64://${Buffer.from(template).toString('base64')}`;
