/**
 * Connection faults the Samba lab cannot produce, against tiny fake servers: StartTLS refused with
 * an LDAP result code, and a server that hangs up at once. Each is exit 3 with one line, no snapshot
 * written — and after a refused StartTLS nothing (above all no bind with the password) is sent in clear.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { startFakeServer, type FakeServer } from '../../lab/faults/fake-server.js';

const SLOW = 60_000;
const DIR = path.join(os.tmpdir(), `spnaudit-ldap-faults-${process.pid}`);
mkdirSync(DIR, { recursive: true });
const PASSWORD_FILE = path.join(DIR, 'pw');
writeFileSync(PASSWORD_FILE, 'Fake-Passw0rd-123', { mode: 0o600 });
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function collect(url: string, extra: string[] = []) {
  const out = path.join(DIR, `out-${Date.now()}.json`);
  const r = await runCli(['collect', '--url', url, '--bind-dn', 'admin@contoso.test', '--password-file', PASSWORD_FILE, '--timeout', '5', ...extra, '--out', out]);
  return { ...r, wroteSnapshot: existsSync(out) };
}

function expectOneLine(r: { code: number; stderr: string; wroteSnapshot: boolean }, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(3);
  expect(r.stderr).toMatch(/^spnaudit: [^\n]+\n$/);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toContain('Fake-Passw0rd-123');
  expect(r.wroteSnapshot).toBe(false);
}

describe('StartTLS refused', () => {
  it.each([
    [2, 'unsupported extended operation'],
    [52, 'TLS not configured'],
    [53, 'StartTLS not allowed now'],
    [1, 'operations error'],
  ])('result code %i (%s): exit 3, one line, and no bind in clear text', async (resultCode, diagnostic) => {
    server = await startFakeServer({ kind: 'refuse-starttls', resultCode, diagnostic });
    const r = await collect(server.url, ['--starttls']);
    expectOneLine(r, new RegExp(`^spnaudit: ldap://127\\.0\\.0\\.1:\\d+ refused StartTLS \\(LDAP ${resultCode}: ${diagnostic}\\); use ldaps:// or check the DC's certificate\n$`));
    expect(server.requests.map((q) => q.opName).filter((op) => op !== 'unbindRequest')).toEqual(['extendedReq']);
  }, SLOW);
});

describe('a server that hangs up at once', () => {
  it.each([
    ['plain ldap://', [] as string[], /^spnaudit: ldap:\/\/127\.0\.0\.1:\d+ closed the connection during bind without an answer; is this an LDAP port/],
    ['ldap:// with --starttls', ['--starttls'], /^spnaudit: ldap:\/\/127\.0\.0\.1:\d+ closed the connection during StartTLS/],
  ])('%s: exit 3, one line', async (_label, extra, pattern) => {
    server = await startFakeServer({ kind: 'close-on-connect' });
    expectOneLine(await collect(server.url, extra), pattern);
  }, SLOW);

  it('ldaps:// to it: exit 3, one line about the TLS handshake', async () => {
    server = await startFakeServer({ kind: 'close-on-connect' });
    expectOneLine(await collect(server.url.replace('ldap:', 'ldaps:')), /^spnaudit: (TLS handshake with|ldaps:\/\/127\.0\.0\.1:\d+ closed the connection)/);
  }, SLOW);
});
