/** The ticket HTTP client: Retry-After, which failures are retried, redaction, proxies and --ca-file. */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, parseRetryAfter, proxyFor, type HttpRequest, type HttpResponse } from '../../../src/tickets/http.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const NOW = Date.parse('2026-11-22T02:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Sun, 22 Nov 2026 02:01:30 GMT', 90_000],
    ['Sun, 22 Nov 2026 01:00:00 GMT', 0],
    ['soon', null],
    ['', null],
    [undefined, null],
  ])('%j → %j ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('retryDecision', () => {
  const client = new HttpClient({ now: () => NOW });
  const res = (status: number, headers: Record<string, string> = {}): HttpResponse => ({ status, headers, text: '', dryRun: false });
  const get: HttpRequest = { method: 'GET', url: 'http://x/' };
  const post: HttpRequest = { method: 'POST', url: 'http://x/', body: {} };
  const search: HttpRequest = { ...post, readOnly: true };
  it.each<[string, HttpRequest, HttpResponse, number | null]>([
    ['429 with Retry-After, even a POST', post, res(429, { 'retry-after': '12' }), 12_000],
    ['429 without Retry-After: backoff', get, res(429), 1000],
    ['GitHub primary limit: 403 + remaining 0 → until reset', post, res(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 30) }), 31_000],
    ['GitHub secondary limit: 403 + retry-after', post, res(403, { 'retry-after': '60' }), 60_000],
    ['plain 403 (no permission) is final', get, res(403), null],
    ['503 on a GET honours Retry-After', get, res(503, { 'retry-after': '5' }), 5000],
    ['502 on a POST is final: it may have been executed', post, res(502), null],
    ['502 on a read-only POST (search) is retried', search, res(502), 1000],
    ['501 is final', get, res(501), null],
    ['404 is final', get, res(404), null],
  ])('%s', (_name, req, response, wait) => {
    expect(client.retryDecision(req, response, 1)?.waitMs ?? null).toBe(wait);
  });
});

describe('proxyFor', () => {
  it.each<[string, string, NodeJS.ProcessEnv, string | null]>([
    ['https target uses HTTPS_PROXY', 'https://jira.example.test', { HTTPS_PROXY: 'http://proxy:3128' }, 'http://proxy:3128/'],
    ['lower-case variable', 'https://jira.example.test', { https_proxy: 'proxy:8080' }, 'http://proxy:8080/'],
    ['http target uses HTTP_PROXY only', 'http://redmine.local', { HTTPS_PROXY: 'http://proxy:3128' }, null],
    ['NO_PROXY suffix', 'https://jira.corp.example', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.corp.example' }, null],
    ['NO_PROXY exact host with port', 'https://api.github.com', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'localhost,api.github.com:443' }, null],
    ['NO_PROXY *', 'https://x.test', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }, null],
    ['nothing set', 'https://x.test', {}, null],
  ])('%s', (_name, target, env, expected) => {
    expect(proxyFor(new URL(target), env)?.href ?? null).toBe(expected);
  });
});

const servers: Array<http.Server | net.Server> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    if (s instanceof http.Server) s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

async function listen<T extends http.Server | net.Server>(server: T): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function tlsServer(): https.Server {
  return https.createServer({ key: readFileSync(path.join(FIXTURES, 'server.key')), cert: readFileSync(path.join(FIXTURES, 'server.pem')) }, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"ok":true}');
  });
}

describe('HttpClient on the wire', () => {
  it('--ca-file: an internal CA is trusted when given and refused when not', async () => {
    const port = await listen(tlsServer());
    const url = `https://127.0.0.1:${port}/rest/api/2/myself`;
    await expect(new HttpClient({ maxAttempts: 1 }).send({ method: 'GET', url })).rejects.toThrow(/self-signed|unable to verify|certificate/i);
    const res = await new HttpClient({ ca: readFileSync(path.join(FIXTURES, 'ca.pem'), 'utf8') }).send({ method: 'GET', url });
    expect(res.status).toBe(200);
  });

  it('HTTPS_PROXY: https requests go through a CONNECT tunnel and the certificate is still verified end to end', async () => {
    const target = await listen(tlsServer());
    const connects: string[] = [];
    const tunnels: net.Socket[] = [];
    const proxy = http.createServer();
    proxy.on('connect', (req, client, head) => {
      connects.push(String(req.url));
      tunnels.push(client as net.Socket);
      const [host, port] = String(req.url).split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      tunnels.push(upstream);
      upstream.on('error', () => client.destroy());
    });
    const proxyPort = await listen(proxy);
    const client = new HttpClient({ ca: readFileSync(path.join(FIXTURES, 'ca.pem'), 'utf8'), env: { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}` } });
    const res = await client.send({ method: 'GET', url: `https://localhost:${target}/x` });
    expect(res.status).toBe(200);
    expect(connects).toEqual([`localhost:${target}`]);
    // Tunnels are detached from the proxy server: close them so the server can close.
    for (const socket of tunnels) socket.destroy();
  });

  it('a reset connection on a POST is not retried (the server may have created the ticket)', async () => {
    let hits = 0;
    const port = await listen(
      net.createServer((socket) => {
        hits += 1;
        socket.destroy();
      }),
    );
    const client = new HttpClient({ sleep: async () => undefined });
    await expect(client.send({ method: 'POST', url: `http://127.0.0.1:${port}/issues.json`, body: {} })).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(hits).toBe(1);
    await expect(client.send({ method: 'GET', url: `http://127.0.0.1:${port}/issues.json` })).rejects.toThrow(/after 5 attempts/);
    expect(hits).toBe(6);
  });

  it('never prints or reports a secret: headers, bodies, URLs and error texts are redacted', async () => {
    const secret = 's3cr3t-token-value';
    const port = await listen(
      http.createServer((req, res) => {
        res.writeHead(401);
        res.end(`bad key ${String(req.headers['x-redmine-api-key'])}`);
      }),
    );
    const printed: string[] = [];
    const client = new HttpClient({ secrets: [secret], dryRun: true, print: (t) => printed.push(t) });
    await client.send({ method: 'PUT', url: `http://127.0.0.1:${port}/issues/1.json?key=${secret}`, headers: { 'X-Redmine-API-Key': secret, Authorization: `Bearer ${secret}` }, body: { note: `quoted "${secret}"` } });
    expect(printed.join('')).not.toContain(secret);
    expect(printed.join('')).toContain('X-Redmine-API-Key: <redacted>');
    const live = new HttpClient({ secrets: [secret] });
    const req: HttpRequest = { method: 'GET', url: `http://127.0.0.1:${port}/users/current.json`, headers: { 'X-Redmine-API-Key': secret } };
    const res = await live.send(req);
    expect(res.status).toBe(401);
    const { expectStatus } = await import('../../../src/tickets/http.js');
    expect(() => expectStatus(live, req, res, [200], 'check')).toThrow(/HTTP 401 \(credentials rejected\): bad key <redacted>/);
  });
});
