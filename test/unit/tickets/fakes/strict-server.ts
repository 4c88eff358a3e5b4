/**
 * A strict local HTTP fake on 127.0.0.1 and an ephemeral port: every request must match a route AND
 * pass that route's checks (method, path, query, headers, body shape) — anything else is answered 400
 * and recorded as a violation, which the tests assert to be empty. Routes are written from the
 * vendors' API documentation.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class Violation extends Error {}

export type Handler = (req: FakeRequest, params: string[]) => FakeReply;

export interface Route {
  method: string;
  /** Matched against the path without the query. */
  path: RegExp;
  handle: Handler;
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Violation(message);
}

/** Exactly these keys (required ∪ optional), required ones present. */
export function checkKeys(obj: unknown, required: readonly string[], optional: readonly string[] = [], where = 'body'): asserts obj is Record<string, unknown> {
  check(typeof obj === 'object' && obj !== null && !Array.isArray(obj), `${where} must be an object`);
  const o = obj as Record<string, unknown>;
  for (const k of required) check(k in o, `${where}.${k} is required`);
  for (const k of Object.keys(o)) check(required.includes(k) || optional.includes(k), `${where}.${k} is not a documented field`);
}

export function checkQuery(query: URLSearchParams, expected: Record<string, string | RegExp>): void {
  const keys = [...new Set(query.keys())];
  for (const k of keys) check(k in expected, `query parameter ${k} is not expected`);
  for (const [k, v] of Object.entries(expected)) {
    const got = query.get(k);
    check(got !== null, `query parameter ${k} is missing`);
    check(typeof v === 'string' ? got === v : v.test(got), `query parameter ${k}=${got} does not match ${String(v)}`);
  }
}

export class StrictServer {
  readonly violations: string[] = [];
  readonly log: FakeRequest[] = [];
  private server: http.Server | null = null;
  url = '';
  /** One-shot replies served before routing (rate limits, outages), by predicate. */
  private readonly injected: Array<{ when: (r: FakeRequest) => boolean; reply: FakeReply }> = [];

  constructor(
    private readonly routes: Route[],
    private readonly checkHeaders: (req: FakeRequest) => void,
  ) {}

  inject(when: (r: FakeRequest) => boolean, reply: FakeReply): void {
    this.injected.push({ when, reply });
  }

  writes(): FakeRequest[] {
    return this.log.filter((r) => r.method !== 'GET');
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text === '' ? undefined : JSON.parse(text);
        } catch {
          json = Symbol('invalid');
        }
        const fr: FakeRequest = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, text, json };
        this.log.push(fr);
        let reply: FakeReply;
        try {
          check(typeof json !== 'symbol', 'body is not valid JSON');
          if (text !== '') check(String(req.headers['content-type'] ?? '').startsWith('application/json'), 'a JSON body needs Content-Type: application/json');
          this.checkHeaders(fr);
          const i = this.injected.findIndex((x) => x.when(fr));
          if (i >= 0) {
            reply = this.injected[i]!.reply;
            this.injected.splice(i, 1);
          } else {
            const route = this.routes.find((r) => r.method === fr.method && r.path.test(fr.path));
            check(route, `no such endpoint: ${fr.method} ${fr.path}`);
            const m = route.path.exec(fr.path) ?? [];
            reply = route.handle(fr, m.slice(1).map((x) => decodeURIComponent(x ?? '')));
          }
        } catch (error) {
          if (!(error instanceof Violation)) throw error;
          this.violations.push(`${fr.method} ${fr.path}: ${error.message}`);
          reply = { status: 400, body: { error: error.message } };
        }
        const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
        res.writeHead(reply.status, { ...(body ? { 'Content-Type': 'application/json' } : {}), ...reply.headers });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
