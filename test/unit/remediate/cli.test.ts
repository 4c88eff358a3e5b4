/**
 * `spnaudit plan` as a user runs it (the real CLI through tsx): the domain script on stdout,
 * the files with --out-dir, one-line errors with documented exit codes.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { quoteCmd, quoteCmdAlways } from '../../../src/remediate/quote.js';
import { msvcArgv } from './tokenizers.js';

const EXAMPLE = ['--snapshot', 'examples/contoso.snapshot.json', '--config', 'examples/spnaudit.yaml'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'spnaudit-plan-cli-'));
});

describe('spnaudit plan', () => {
  it('without --out-dir prints the domain script (cmd by default)', async () => {
    const r = await runCli(['plan', ...EXAMPLE, '--exclude', 'negotiate-disabled']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^REM spnaudit plan: domain-wide SPN and account changes\r\n/);
    expect(r.stdout).toContain('setspn -C -D HTTP/hr.contoso.test "CONTOSO\\WEB03$" || goto :failed\r\n');
    expect(r.stdout).toContain('setspn -U -S HTTP/portal CONTOSO\\svc_portal || goto :failed\r\n');
    expect(r.stdout).toContain('setspn -X -F\r\n');
    // the removal comes before the addition, and both before the decisions and the verification
    const order = ['-D HTTP/hr.contoso.test', '-S HTTP/portal', 'DECISION 1:', '==== VERIFICATION'].map((s) => r.stdout.indexOf(s));
    expect(order.every((v, i) => v > 0 && (i === 0 || v > order[i - 1]!))).toBe(true);
  });

  it('with --out-dir writes every file and prints a summary', async () => {
    const out = path.join(dir, 'ps');
    const r = await runCli(['plan', ...EXAMPLE, '--exclude', 'negotiate-disabled', '--shell', 'powershell', '--out-dir', out]);
    expect(r.code, r.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(
      ['domain-spn-changes.ps1', 'iis-WEB02.ps1', 'iis-WEB03.ps1', 'rollback-domain-spn-changes.ps1', 'rollback-iis-WEB02.ps1', 'rollback-iis-WEB03.ps1'].sort(),
    );
    expect(r.stdout).toMatch(/^plan: \d+ step\(s\) for \d+ finding\(s\)/);
    const ps = await readFile(path.join(out, 'domain-spn-changes.ps1'), 'utf8');
    expect(ps.startsWith('\ufeff# spnaudit plan')).toBe(true);
    expect(ps).toContain("Set-ADComputer -Identity 'WEB03$' -ServicePrincipalNames @{Remove='HTTP/hr.contoso.test'} -Server 'contoso.test'\n");
    const iis = await readFile(path.join(out, 'rollback-iis-WEB03.ps1'), 'utf8');
    expect(iis).toContain("Set-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location 'Portal' -Filter 'system.webServer/security/authentication/windowsAuthentication' -Name 'useAppPoolCredentials' -Value 'False'\n");
  });

  it.each([
    [['--shell', 'bash'], /^spnaudit: --shell must be one of cmd, powershell, samba, got 'bash'\n$/],
    [['--only', 'no-such-rule'], /^spnaudit: --only: unknown rule id 'no-such-rule'\n$/],
    [['--min-severity', 'critical'], /^spnaudit: --min-severity must be one of error, warning, info\n$/],
  ])('usage error %j: exit 2, one line', async (args, message) => {
    const r = await runCli(['plan', ...EXAMPLE, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('holds back the step its simulation shows to break a name, and says why in the script', async () => {
    const out = path.join(dir, 'held');
    const r = await runCli(['plan', ...EXAMPLE, '--out-dir', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/simulation: 0 duplicate-spn \/ 0 missing-spn/);
    const web03 = await readFile(path.join(out, 'iis-WEB03.cmd'), 'utf8');
    expect(web03).toMatch(/REM \[negotiate-disabled [0-9a-f]+\] HELD-BACK/);
    expect(web03).toMatch(/REM\s+Held back by the plan's simulation: after this change missing-spn HTTP\/legacy\.contoso\.test would remain/);
    // the provider change appears only as a comment
    expect(web03.split(/\r?\n/).filter((l) => l.includes("providers.[value='Negotiate']") && !l.startsWith('REM'))).toEqual([]);
  });

  it('refuses to plan from an incomplete snapshot (exit 4)', async () => {
    const snap = JSON.parse(await readFile('examples/contoso.snapshot.json', 'utf8'));
    const file = path.join(dir, 'incomplete.json');
    await writeFile(file, JSON.stringify({ ...snap, complete: false, errors: [{ where: 'accounts', message: 'size limit' }] }));
    const r = await runCli(['plan', '--snapshot', file]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/INCOMPLETE: refusing to plan/);
  });
});

describe('display commands in findings (fixes.ts) quote for the MSVC argv rules too', () => {
  it.each(['HTTP/web 01\\', 'a b\\\\', 'x\\y z'])('%j survives quoting', (value) => {
    for (const q of [quoteCmd(value), quoteCmdAlways(value)]) expect(msvcArgv(`setspn ${q}`)).toEqual(['setspn', value]);
  });
});
