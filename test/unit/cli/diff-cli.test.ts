/** `spnaudit diff old.json new.json` on two real audits of the example domain. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';

const SNAPSHOT = 'examples/contoso.snapshot.json';
const CONFIG = 'examples/spnaudit.yaml';
let dir: string;
let oldFile: string;
let newFile: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'spnaudit-diff-'));
  // Old: the example domain before svc_rc4 was fixed and with an extra duplicate; new: today's audit.
  const snap = JSON.parse(await readFile(SNAPSHOT, 'utf8'));
  const rc4 = snap.accounts.find((a: { sAMAccountName: string }) => a.sAMAccountName === 'svc_rc4');
  rc4.supportedEncryptionTypes = 24;
  const fixedSnap = path.join(dir, 'fixed.snapshot.json');
  await writeFile(fixedSnap, JSON.stringify(snap));
  oldFile = path.join(dir, 'old.json');
  newFile = path.join(dir, 'new.json');
  await runCli(['audit', '--snapshot', fixedSnap, '--config', CONFIG, '--format', 'json', '--output', oldFile, '--fail-on', 'never']);
  await runCli(['audit', '--snapshot', SNAPSHOT, '--config', CONFIG, '--format', 'json', '--output', newFile, '--fail-on', 'never']);
});

describe('spnaudit diff', () => {
  it('marks what is new since the old report and renders any format', async () => {
    const r = await runCli(['diff', oldFile, newFile, '--format', 'json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { findings: Array<{ ruleId: string; baseline: string }>; baseline: { newCount: number } };
    const fresh = result.findings.filter((f) => f.baseline === 'new').map((f) => f.ruleId).sort();
    expect(fresh).toEqual(['rc4-only']);
    expect(result.baseline.newCount).toBe(1);
  });

  it('lists findings of the old report that are gone as resolved', async () => {
    const r = await runCli(['diff', newFile, oldFile, '--format', 'json']);
    const result = JSON.parse(r.stdout) as { baseline: { resolved: Array<{ ruleId: string }> } };
    expect(result.baseline.resolved.map((f) => f.ruleId)).toEqual(['rc4-only']);
  });

  it('--fail-on-new fails only for new findings at or above --fail-on', async () => {
    expect((await runCli(['diff', oldFile, newFile, '--fail-on-new', '--fail-on', 'warning', '--format', 'csv'])).code).toBe(1);
    expect((await runCli(['diff', oldFile, newFile, '--fail-on-new', '--fail-on', 'error', '--format', 'csv'])).code).toBe(0);
    expect((await runCli(['diff', oldFile, oldFile, '--fail-on-new', '--fail-on', 'info', '--format', 'csv'])).code).toBe(0);
  });

  it('an incomplete new report exits 4 and resolves nothing', async () => {
    const incomplete = JSON.parse(await readFile(oldFile, 'utf8'));
    incomplete.scope.complete = false;
    incomplete.findings = [];
    const file = path.join(dir, 'incomplete.json');
    await writeFile(file, JSON.stringify(incomplete));
    const r = await runCli(['diff', newFile, file, '--format', 'json']);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout).baseline.resolved).toEqual([]);
    expect(r.stderr).toMatch(/INCOMPLETE audit/);
  });

  it('rejects a file that is not a report with one line', async () => {
    const r = await runCli(['diff', SNAPSHOT, newFile]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/contoso\.snapshot\.json: /);
  });
});
