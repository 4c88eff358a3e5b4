/** The audit and explain commands end to end on the bundled example snapshot (no directory needed). */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../../src/model/audit.js';
import { runCli } from '../../support/cli.js';
import { EXPECTED_EXAMPLE_FINDINGS, findingKey } from '../../support/expected-findings.js';

const SNAPSHOT = 'examples/contoso.snapshot.json';
const CONFIG = 'examples/spnaudit.yaml';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'spnaudit-cli-'));
});

describe('spnaudit audit', () => {
  it('prints the table and exits 1 when error-level findings exist', async () => {
    const r = await runCli(['audit', '--snapshot', SNAPSHOT, '--config', CONFIG]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^spnaudit \d+\.\d+\.\d+: 23 errors, 9 warnings, 32 info/);
    expect(r.stdout).toContain('setspn -U -S HTTP/portal CONTOSO\\svc_portal');
  });

  it('produces exactly the reviewed findings for the example domain', async () => {
    const r = await runCli(['audit', '--snapshot', SNAPSHOT, '--config', CONFIG, '--format', 'json']);
    const result = JSON.parse(r.stdout) as AuditResult;
    expect(result.findings.map(findingKey)).toEqual(EXPECTED_EXAMPLE_FINDINGS);
  });

  it('--fail-on never exits 0; --fail-on info still fails', async () => {
    expect((await runCli(['audit', '--snapshot', SNAPSHOT, '--config', CONFIG, '--quiet', '--fail-on', 'never'])).code).toBe(0);
    expect((await runCli(['audit', '--snapshot', SNAPSHOT, '--config', CONFIG, '--quiet', '--fail-on', 'info'])).code).toBe(1);
  });

  it('writes several report formats at once', async () => {
    const html = path.join(dir, 'r', 'report.html');
    const sarif = path.join(dir, 'r', 'spn.sarif');
    const r = await runCli(['audit', '--snapshot', SNAPSHOT, '--config', CONFIG, '--quiet', '--report', `html=${html}`, '--report', `sarif=${sarif}`]);
    expect(r.code).toBe(1);
    expect(await readFile(html, 'utf8')).toMatch(/^<!DOCTYPE html>/i);
    expect(JSON.parse(await readFile(sarif, 'utf8')).version).toBe('2.1.0');
  });

  it('with its own output as baseline nothing is new, so --fail-on-new passes', async () => {
    const base = path.join(dir, 'base.json');
    await runCli(['audit', '--snapshot', SNAPSHOT, '--config', CONFIG, '--format', 'json', '--output', base]);
    const r = await runCli(['audit', '--snapshot', SNAPSHOT, '--config', CONFIG, '--baseline', base, '--fail-on-new', '--format', 'json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as AuditResult & { baseline: { newCount: number; resolved: unknown[] } };
    expect(result.baseline.newCount).toBe(0);
    expect(result.baseline.resolved).toEqual([]);
  });

  it('an incomplete snapshot exits 4 and says so, whatever the findings', async () => {
    const snap = JSON.parse(await readFile(SNAPSHOT, 'utf8'));
    snap.complete = false;
    snap.errors = [{ where: 'spn-holders (DC=contoso,DC=test) on ldap://dc1', message: 'socket closed', code: 80 }];
    const file = path.join(dir, 'incomplete.json');
    await writeFile(file, JSON.stringify(snap));
    const r = await runCli(['audit', '--snapshot', file, '--config', CONFIG, '--fail-on', 'never']);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/INCOMPLETE/);
    expect(r.stderr).toMatch(/INCOMPLETE audit/);
  });

  it('without IIS input runs the directory rules and lists what it skipped', async () => {
    const r = await runCli(['audit', '--snapshot', SNAPSHOT, '--format', 'json']);
    const result = JSON.parse(r.stdout) as AuditResult;
    expect(result.scope.servers).toEqual([]);
    expect(result.scope.skipped.map((s) => s.ruleId)).toContain('missing-spn');
    expect(result.findings.some((f) => f.ruleId === 'duplicate-spn')).toBe(true);
    expect(result.findings.some((f) => f.subject.server !== undefined)).toBe(false);
  });

  it.each([
    [['--format', 'yaml'], /--format 'yaml' is not one of/],
    [['--report', 'html'], /--report 'html' must be FORMAT=FILE/],
    [['--fail-on', 'critical'], /--fail-on must be one of/],
    [['--fail-on-new'], /--fail-on-new needs --baseline/],
    [['--url', 'ldap://x'], /either --snapshot or --url/],
  ])('bad flags %j: one line, exit 2', async (extra, message) => {
    const r = await runCli(['audit', '--snapshot', SNAPSHOT, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a truncated snapshot is a clear error, never a clean audit', async () => {
    const text = await readFile(SNAPSHOT, 'utf8');
    const file = path.join(dir, 'truncated.json');
    await writeFile(file, text.slice(0, 5000));
    const r = await runCli(['audit', '--snapshot', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/truncated\.json(:\d+)?: not valid JSON/);
    expect(r.stdout).toBe('');
  });
});

describe('spnaudit explain', () => {
  it('explains the CNAME binding', async () => {
    const r = await runCli(['explain', 'http://www.contoso.test/', '--snapshot', SNAPSHOT, '--config', CONFIG]);
    expect(r.stdout).toContain('DNS               www.contoso.test -> web03.contoso.test');
    expect(r.stdout).toContain('Browser requests  HTTP/web03.contoso.test');
    expect(r.stdout).toContain('(through the HOST alias');
    expect(r.code).toBe(1);
  });

  it('rejects what is not a URL', async () => {
    const r = await runCli(['explain', 'ftp://x y', '--snapshot', SNAPSHOT]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('spnaudit', () => {
  it('--version and --help exit 0; an unknown command exits 2', async () => {
    const v = await runCli(['--version']);
    expect([v.code, v.stdout.trim()]).toEqual([0, JSON.parse(await readFile('package.json', 'utf8')).version]);
    const h = await runCli(['--help']);
    expect(h.code).toBe(0);
    for (const cmd of ['collect', 'iis', 'audit', 'explain']) expect(h.stdout).toContain(cmd);
    expect((await runCli(['frobnicate'])).code).toBe(2);
  });
});
