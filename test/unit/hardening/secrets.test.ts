/**
 * Secrets never travel on argv and never come back out: there is no flag that takes a password or
 * token (only -env / -file sources), a mistaken `--password=…` is refused without echoing it, the
 * config file cannot hold one, a loosely protected password file is named in a warning, and turning
 * TLS verification off is announced on every run. No lab needed: the runs stop at a closed port.
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';
import { redactUsageError } from '../../../src/cli/run.js';
import { runCli } from '../../support/cli.js';

const SLOW = 60_000;
const SECRET = 'Hunter2-Not-A-Flag!';
const DIR = path.join(os.tmpdir(), `spnaudit-secrets-${process.pid}`);
mkdirSync(DIR, { recursive: true });
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

let closedUrl: string;
beforeAll(async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  closedUrl = `ldap://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function allCommands(cmd: Command, prefix: string[] = []): Array<{ path: string[]; cmd: Command }> {
  return cmd.commands.flatMap((sub) => [{ path: [...prefix, sub.name()], cmd: sub }, ...allCommands(sub, [...prefix, sub.name()])]);
}

const COMMANDS = allCommands(buildProgram());
const LEAF_COMMANDS = COMMANDS.filter((c) => c.cmd.commands.length === 0);

describe('no secret on argv', () => {
  it('every option that names a secret reads it from an environment variable or a file', () => {
    const secretOptions = COMMANDS.flatMap((c) => c.cmd.options.map((o) => `${c.path.join(' ')} ${o.long}`)).filter((o) => /pass|secret|token|key|cred/i.test(o));
    expect(secretOptions.length).toBeGreaterThan(4);
    for (const option of secretOptions) expect(option).toMatch(/-(env|file)$/);
  });

  it.each(LEAF_COMMANDS.map((c) => [c.path.join(' '), c.path]))('%s: --password=… and --password … are unknown options (exit 2), the value never echoed', async (_name, commandPath) => {
    for (const form of [[`--password=${SECRET}`], ['--password', SECRET], [`--token=${SECRET}`], [`--api-key=${SECRET}`]]) {
      const r = await runCli([...commandPath, ...form]);
      expect(r.code, form.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error: unknown option '--(password|token|api-key)(=…)?'/);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
  }, SLOW);

  it.each([
    ["unknown option '--password=hunter2'", "unknown option '--password=…'"],
    ["unknown option '--x=a=b'", "unknown option '--x=…'"],
    ["unknown option '--password'", "unknown option '--password'"],
    ["too many arguments for 'collect'", "too many arguments for 'collect'"],
  ])('redactUsageError(%j)', (input, output) => {
    expect(redactUsageError(input)).toBe(output);
  });

  it('a password in the config file is refused, and not repeated', async () => {
    const cfg = path.join(DIR, 'with-password.yaml');
    writeFileSync(cfg, `ldap:\n  url: ${closedUrl}\n  bindDn: a@b\n  password: "${SECRET}"\n`);
    const r = await runCli(['collect', '--config', cfg, '--out', path.join(DIR, 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^spnaudit: .*with-password\.yaml:4: passwords do not belong in the config file; use passwordEnv or passwordFile\n$/);
    expect(r.stderr).not.toContain(SECRET);
  }, SLOW);

  it('a value given to --password-env instead of a variable name is refused, and not repeated', async () => {
    const r = await runCli(['collect', '--url', closedUrl, '--bind-dn', 'a@b', '--password-env', SECRET, '--out', path.join(DIR, 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('spnaudit: --password-env takes the NAME of an environment variable, not a value\n');
  }, SLOW);
});

describe('password files', () => {
  it.each([
    [0o644, true],
    [0o640, true],
    [0o604, true],
    [0o600, false],
    [0o400, false],
  ])('mode %o: warning %s', async (mode, warns) => {
    const file = path.join(DIR, `pw-${mode.toString(8)}`);
    writeFileSync(file, SECRET);
    chmodSync(file, mode);
    const r = await runCli(['collect', '--url', closedUrl, '--bind-dn', 'a@b', '--password-file', file, '--out', path.join(DIR, 'x.json')]);
    expect(r.code).toBe(3);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^spnaudit: cannot connect to .*: connection refused/);
    expect(lines.slice(0, -1)).toEqual(warns ? [`spnaudit: warning: ${file} is readable by other users; restrict it with chmod 600`] : []);
    expect(r.stderr).not.toContain(SECRET);
  }, SLOW);

  it('a missing password file: exit 2 naming it', async () => {
    const r = await runCli(['collect', '--url', closedUrl, '--bind-dn', 'a@b', '--password-file', path.join(DIR, 'nope'), '--out', path.join(DIR, 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^spnaudit: cannot read --password-file .*nope: ENOENT\n$/);
  }, SLOW);
});

describe('--tls-insecure is announced on every run', () => {
  const WARNING = 'spnaudit: WARNING: TLS certificate verification is OFF (--tls-insecure); the directory server is not authenticated';

  it.each([
    ['collect, flag', () => ['collect', '--tls-insecure', '--out', path.join(DIR, 'x.json')]],
    ['audit, flag', () => ['audit', '--tls-insecure']],
    ['explain, flag', () => ['explain', 'http://portal.contoso.test/', '--tls-insecure']],
    ['plan, flag', () => ['plan', '--tls-insecure']],
    ['collect, config file', () => {
      const cfg = path.join(DIR, 'insecure.yaml');
      writeFileSync(cfg, 'ldap:\n  tlsInsecure: true\n');
      return ['collect', '--config', cfg, '--out', path.join(DIR, 'x.json')];
    }],
  ])('%s: the warning comes first, even when the run then fails', async (_label, args) => {
    const pw = path.join(DIR, 'pw');
    writeFileSync(pw, SECRET, { mode: 0o600 });
    const r = await runCli([...args(), '--url', closedUrl.replace('ldap:', 'ldaps:'), '--bind-dn', 'a@b', '--password-file', pw]);
    expect(r.code).toBe(3);
    expect(r.stderr.split('\n')[0]).toBe(WARNING);
  }, SLOW);
});
