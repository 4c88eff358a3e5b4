/** `spnaudit audit --tickets`: the audit and the nightly ticket sync in one run, settings from the config's tickets: section. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';

interface Received {
  body: { event_action: string; dedup_key: string };
  signature: string | undefined;
}

let dir: string;
let url: string;
const received: Received[] = [];
const server = createServer((req: IncomingMessage, res) => {
  let text = '';
  req.on('data', (d: Buffer) => (text += d.toString()));
  req.on('end', () => {
    received.push({ body: JSON.parse(text), signature: req.headers['x-spnaudit-signature'] as string | undefined });
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"success"}');
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  dir = await mkdtemp(path.join(os.tmpdir(), 'spnaudit-audit-tickets-'));
  const config = await readFile('examples/spnaudit.yaml', 'utf8');
  await copyFile('examples/contoso.snapshot.json', path.join(dir, 'snap.json'));
  await writeFile(
    path.join(dir, 'spnaudit.yaml'),
    `${config.replace(/^iis:\n  - iis$/m, `iis:\n  - ${path.resolve('examples/iis')}`)}\ntickets:\n  provider: webhook\n  url: ${url}\n  tokenEnv: HOOK_SECRET\n  signatureHeader: X-Spnaudit-Signature\n  stateFile: ${path.join(dir, 'webhook.state.json')}\n  maxNew: 500\n`,
  );
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('spnaudit audit --tickets', () => {
  it('reports as usual and triggers one signed event per finding; the same audit again sends nothing new', async () => {
    const args = ['audit', '--snapshot', path.join(dir, 'snap.json'), '--config', path.join(dir, 'spnaudit.yaml'), '--tickets', '--quiet'];
    const env = { HOOK_SECRET: 'hook-s3cret' };
    const first = await runCli(args, { env });
    expect(first.code, first.stderr).toBe(1);
    expect(first.stdout).toMatch(/^spnaudit \S+: 23 errors, 9 warnings, 32 info/);
    expect(received).toHaveLength(64);
    expect(new Set(received.map((r) => r.body.dedup_key)).size).toBe(64);
    expect(received.every((r) => r.body.event_action === 'trigger' && /^sha256=[0-9a-f]{64}$/.test(r.signature ?? ''))).toBe(true);
    expect(first.stdout + first.stderr).not.toContain('hook-s3cret');

    const second = await runCli(args, { env });
    expect(second.code).toBe(1);
    expect(received).toHaveLength(64);
  });

  it('checks the tickets section before collecting anything', async () => {
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, 'tickets:\n  provider: fax\n');
    const r = await runCli(['audit', '--snapshot', path.join(dir, 'snap.json'), '--config', bad, '--tickets']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:2: /);
    expect(r.stdout).toBe('');
  });
});
