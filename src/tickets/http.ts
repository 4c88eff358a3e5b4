/**
 * The one HTTP path of the ticket sync: node:http/https (Node 20's fetch cannot take a custom CA
 * without the undici package, which is not a dependency), with
 *  - `--ca-file` CAs added to the default trust store for https targets,
 *  - HTTPS_PROXY/HTTP_PROXY/NO_PROXY from the environment (CONNECT tunnel for https),
 *  - retries with backoff that honour Retry-After (429, GitHub's 403 + x-ratelimit-remaining: 0, 5xx),
 *    but never retry a POST that the server may have executed (5xx, reset connection): a duplicate
 *    ticket is worse than a failed run, and the re-run finds the ticket by its marker,
 *  - a minimum interval between writes (GitHub asks for one second between content-creating requests),
 *  - dry-run: reads are sent, writes are printed (secrets redacted) and not sent,
 *  - secrets redacted from everything it prints or puts into an error.
 */
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { ConnectionError, oneLine } from '../errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** Serialised as JSON (Content-Type: application/json) unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  /** A POST that only reads (Jira search): sent in dry-run, retried like a GET, not paced. */
  readOnly?: boolean;
}

export const isWrite = (req: Pick<HttpRequest, 'method' | 'readOnly'>): boolean => req.method !== 'GET' && req.readOnly !== true;

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** True when dry-run printed the request instead of sending it. */
  dryRun: boolean;
}

export interface HttpClientOptions {
  /** PEM text of extra CAs for https targets (added to Node's bundled roots). */
  ca?: string;
  timeoutMs?: number;
  maxAttempts?: number;
  /** Longest single wait the client accepts (Retry-After beyond it fails the run instead). */
  maxWaitMs?: number;
  minWriteIntervalMs?: number;
  dryRun?: boolean;
  /** Where dry-run prints requests. */
  print?: (text: string) => void;
  /** Values that must never be printed or put into errors (tokens, passwords, keys). */
  secrets?: readonly string[];
  env?: NodeJS.ProcessEnv;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Called before every retry wait (for the run log). */
  onRetry?: (info: { request: HttpRequest; attempt: number; waitMs: number; reason: string }) => void;
  userAgent?: string;
}

const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-redmine-api-key', 'cookie', 'x-spnaudit-signature']);
export const REDACTED = '<redacted>';

export class HttpClient {
  private lastWriteAt = -Infinity;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly secrets: string[];
  readonly dryRun: boolean;
  /** Every request actually sent (method and URL), for summaries and tests. */
  readonly sent: Array<{ method: HttpMethod; url: string; status: number; write: boolean }> = [];
  readonly printed: HttpRequest[] = [];

  constructor(private readonly opts: HttpClientOptions = {}) {
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = opts.now ?? Date.now;
    this.secrets = (opts.secrets ?? []).filter((s) => s.length >= 4);
    this.dryRun = opts.dryRun ?? false;
  }

  addSecret(value: string): void {
    if (value.length >= 4) this.secrets.push(value);
  }

  /** Replaces every known secret in `text`. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    for (const form of this.secrets.map((s) => JSON.stringify(s).slice(1, -1))) out = out.split(form).join(REDACTED);
    return out;
  }

  /** The request as dry-run shows it: method, URL, headers (credentials redacted), JSON body. */
  describe(req: HttpRequest): string {
    const lines = [`${req.method} ${req.url}`];
    for (const [name, value] of Object.entries(this.headersFor(req))) lines.push(`${name}: ${SENSITIVE_HEADERS.has(name.toLowerCase()) ? REDACTED : value}`);
    const body = bodyText(req);
    if (body !== undefined) lines.push('', req.rawBody !== undefined ? body : JSON.stringify(req.body, null, 2));
    return this.redact(lines.join('\n'));
  }

  private headersFor(req: HttpRequest): Record<string, string> {
    const headers: Record<string, string> = { 'User-Agent': this.opts.userAgent ?? 'spnaudit', Accept: 'application/json', ...req.headers };
    if (bodyText(req) !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    return headers;
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const write = isWrite(req);
    if (write && this.dryRun) {
      this.printed.push(req);
      this.opts.print?.(`${this.describe(req)}\n`);
      return { status: 0, headers: {}, text: '', dryRun: true };
    }
    const maxAttempts = this.opts.maxAttempts ?? 5;
    const maxWaitMs = this.opts.maxWaitMs ?? 15 * 60_000;
    for (let attempt = 1; ; attempt++) {
      if (write) {
        const gap = this.lastWriteAt + (this.opts.minWriteIntervalMs ?? 0) - this.now();
        if (gap > 0) await this.sleep(gap);
        this.lastWriteAt = this.now();
      }
      let res: HttpResponse;
      try {
        res = await this.once(req);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        // A refused connection never reached the server; anything else may have executed a POST.
        const safe = !write || req.method !== 'POST' || code === 'ECONNREFUSED';
        const message = this.redact(oneLine((error as Error).message));
        if (!safe || attempt >= maxAttempts) {
          throw new ConnectionError(`${req.method} ${this.redact(req.url)}: ${message}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`);
        }
        await this.wait(req, attempt, backoffMs(attempt), `network error ${code || message}`, maxWaitMs);
        continue;
      }
      this.sent.push({ method: req.method, url: req.url, status: res.status, write });
      const retry = this.retryDecision(req, res, attempt);
      if (retry === null || attempt >= maxAttempts) return res;
      await this.wait(req, attempt, retry.waitMs, retry.reason, maxWaitMs);
    }
  }

  private async wait(req: HttpRequest, attempt: number, waitMs: number, reason: string, maxWaitMs: number): Promise<void> {
    if (waitMs > maxWaitMs) {
      throw new ConnectionError(`${req.method} ${this.redact(req.url)}: ${reason}; the server asks to wait ${Math.ceil(waitMs / 1000)} s, more than the ${Math.ceil(maxWaitMs / 1000)} s limit`);
    }
    this.opts.onRetry?.({ request: req, attempt, waitMs, reason });
    await this.sleep(waitMs);
  }

  /** Null: give the response to the caller. Otherwise how long to wait before the next attempt. */
  retryDecision(req: HttpRequest, res: HttpResponse, attempt: number): { waitMs: number; reason: string } | null {
    const retryAfter = parseRetryAfter(res.headers['retry-after'], this.now());
    if (res.status === 429) return { waitMs: retryAfter ?? backoffMs(attempt), reason: 'HTTP 429 (rate limited)' };
    if (res.status === 403 && (res.headers['x-ratelimit-remaining'] === '0' || retryAfter !== null)) {
      const reset = Number(res.headers['x-ratelimit-reset']);
      const untilReset = Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - this.now()) + 1000 : null;
      return { waitMs: retryAfter ?? untilReset ?? 60_000, reason: 'HTTP 403 rate limit' };
    }
    if (res.status >= 500 && res.status !== 501 && (req.method !== 'POST' || req.readOnly === true)) {
      return { waitMs: retryAfter ?? backoffMs(attempt), reason: `HTTP ${res.status}` };
    }
    return null;
  }

  private once(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.url);
    const isHttps = url.protocol === 'https:';
    const body = bodyText(req);
    const headers = this.headersFor(req);
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    const proxy = proxyFor(url, this.opts.env ?? process.env);
    const ca = isHttps && this.opts.ca ? [...rootCertificates, this.opts.ca] : undefined;
    const timeoutMs = this.opts.timeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      const options: https.RequestOptions = { method: req.method, headers, timeout: timeoutMs, agent: false };
      let target: URL = url;
      if (proxy && !isHttps) {
        // Plain HTTP through a proxy: absolute-form request line to the proxy.
        target = proxy;
        options.path = url.href;
        if (proxy.username) headers['Proxy-Authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
      } else if (proxy && isHttps) {
        // ClientRequest only calls createConnection when no agent is set (agent: false would make one).
        delete options.agent;
        options.createConnection = ((_opts: unknown, done: (err: Error | null, socket?: Duplex) => void) => {
          tunnel(proxy, url, ca, timeoutMs).then((s) => done(null, s), (e: Error) => done(e));
          return undefined;
        }) as unknown as https.RequestOptions['createConnection'];
      }
      if (isHttps && ca) options.ca = ca;
      const lib = target.protocol === 'https:' ? https : http;
      const request = lib.request(target, options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const flat: Record<string, string> = {};
          for (const [k, v] of Object.entries(response.headers)) if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
          // One request per connection: a tunnelled socket would otherwise stay open until the proxy drops it.
          response.socket?.destroy();
          resolve({ status: response.statusCode ?? 0, headers: flat, text: Buffer.concat(chunks).toString('utf8'), dryRun: false });
        });
      });
      request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
      request.on('error', reject);
      request.end(body);
    });
  }
}

function bodyText(req: HttpRequest): string | undefined {
  if (req.rawBody !== undefined) return req.rawBody;
  return req.body === undefined ? undefined : JSON.stringify(req.body);
}

export function backoffMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** (attempt - 1));
}

/** Retry-After: delta seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The proxy for a target from HTTPS_PROXY / HTTP_PROXY, unless NO_PROXY names its host. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): URL | null {
  const raw = target.protocol === 'https:' ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!raw) return null;
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  for (const entry of noProxy) {
    const bare = entry.replace(/:\d+$/, '').replace(/^\*?\./, '');
    if (entry === '*' || host === bare || host.endsWith(`.${bare}`)) return null;
  }
  try {
    return new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw new ConnectionError(`the proxy in the environment is not a URL: ${oneLine(raw.replace(/\/\/[^@/]*@/, '//<credentials>@'))}`);
  }
}

function tunnel(proxy: URL, target: URL, ca: string[] | undefined, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const port = target.port || '443';
    const headers: Record<string, string> = { Host: `${target.hostname}:${port}` };
    if (proxy.username) headers['Proxy-Authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
    const lib = proxy.protocol === 'https:' ? https : http;
    const req = lib.request({ host: proxy.hostname, port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80), method: 'CONNECT', path: `${target.hostname}:${port}`, headers, timeout: timeoutMs });
    req.on('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`proxy ${proxy.host} refused the tunnel: HTTP ${res.statusCode}`));
        return;
      }
      const secure = tls.connect({ socket, servername: target.hostname.replace(/^\[|\]$/g, ''), ...(ca ? { ca } : {}) });
      secure.once('secureConnect', () => resolve(secure));
      secure.once('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`proxy ${proxy.host}: no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Throws a one-line ConnectionError unless the status is expected. */
export function expectStatus(client: HttpClient, req: HttpRequest, res: HttpResponse, ok: readonly number[], what: string): void {
  if (res.dryRun || ok.includes(res.status)) return;
  const excerpt = client.redact(oneLine(res.text)).slice(0, 300);
  const hint = res.status === 401 ? ' (credentials rejected)' : res.status === 403 ? ' (no permission)' : res.status === 404 ? ' (not found: check the URL and project)' : '';
  throw new ConnectionError(`${what}: ${req.method} ${client.redact(new URL(req.url).pathname)} answered HTTP ${res.status}${hint}${excerpt ? `: ${excerpt}` : ''}`);
}

export function parseJson<T>(client: HttpClient, req: HttpRequest, res: HttpResponse, what: string): T {
  try {
    return JSON.parse(res.text) as T;
  } catch {
    throw new ConnectionError(`${what}: ${req.method} ${client.redact(new URL(req.url).pathname)} did not answer JSON (HTTP ${res.status}): ${client.redact(oneLine(res.text)).slice(0, 200)}`);
  }
}
