/**
 * `plan --snapshot` never touches the network: the CLI runs with a preload that kills the process on
 * any socket, UDP send or DNS lookup (hostile/no-network.mjs), even though the config file names an
 * LDAP server. The preload itself is proven by a command that does connect. (A live `plan` is watched
 * on the wire in the lab: test/lab/hostile.test.ts, bind/search/unbind only.)
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';

const PRELOAD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'hostile/no-network.mjs');
const env = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PRELOAD}`.trim() };
const INPUTS = ['--snapshot', 'examples/contoso.snapshot.json', '--config', 'examples/spnaudit.yaml'];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'spnaudit-plan-offline-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('plan with --snapshot opens no socket', () => {
  it('the preload stops a command that does connect (collect to a local port)', async () => {
    const pw = path.join(dir, 'pw');
    await import('node:fs/promises').then((fs) => fs.writeFile(pw, 'x', { mode: 0o600 }));
    const r = await runCli(['collect', '--url', 'ldap://127.0.0.1:1', '--bind-dn', 'a@b', '--password-file', pw, '--out', path.join(dir, 's.json')], { env });
    expect(r.code).toBe(97);
    expect(r.stderr).toContain('NETWORK ACCESS: TCP connect to 127.0.0.1:1');
  });

  it.each(['cmd', 'powershell', 'samba'])('--shell %s writes every script without any network access', async (shell) => {
    const out = path.join(dir, shell);
    const r = await runCli(['plan', ...INPUTS, '--shell', shell, '--out-dir', out], { env });
    expect(r.stderr).not.toContain('NETWORK ACCESS');
    expect(r.code).toBe(0);
    expect((await readdir(out)).length).toBeGreaterThanOrEqual(2);
    const json = await runCli(['plan', ...INPUTS, '--shell', shell, '--json'], { env });
    expect(json.code).toBe(0);
    expect(json.stderr).not.toContain('NETWORK ACCESS');
  });
});
