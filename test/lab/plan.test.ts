/**
 * `spnaudit plan --shell samba` against the real Samba AD DC: the generated domain script runs
 * as is (samba-tool over LDAP, password from PASSWD_FILE), the IIS changes are applied to a copy
 * of the example configs (what appcmd would do on the servers), and a fresh audit shows the
 * scripted findings gone and nothing new beyond what the plan's own simulation predicted.
 *
 * The lab is shared with the other suites, which assert the seeded scenario: afterAll runs the
 * generated rollback script, restores by a raw partition write the duplicate the rollback (rightly)
 * refuses to recreate, and checks that every account's SPNs and userAccountControl are back.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditResult } from '../../src/model/audit.js';
import type { Snapshot } from '../../src/model/directory.js';
import type { FixAction } from '../../src/model/finding.js';
import { runCli } from '../support/cli.js';
import { findExecutable, run } from './harness/exec.js';
import { ldifModify } from './harness/ldif.js';
import { describeLab, requireLab, type LabInfo } from './lab-context.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface PlanJson {
  steps: Array<{ action: FixAction; findings: string[] }>;
  rollback: Array<{ action: FixAction }>;
  manualUndo: Array<{ reason: string }>;
  scripted: string[];
  simulation: { resolved: string[]; introduced: Array<{ ruleId: string; fingerprint: string }>; remaining: unknown[] };
  files: string[];
}

let lab: LabInfo;
let dir: string;
let original: Snapshot;
let before: AuditResult;
let plan: PlanJson;
let after: AuditResult;

const connection = (): string[] => ['--url', lab.ldapUrl, '--bind-dn', lab.bindDn, '--password-file', lab.passwordFile];
const inputs = (): string[] => [...connection(), '--config', path.join(dir, 'spnaudit.yaml')];

async function audit(): Promise<AuditResult> {
  const r = await runCli(['audit', ...inputs(), '--format', 'json', '--fail-on', 'never']);
  expect(r.stderr, 'audit stderr').toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as AuditResult;
}

async function collect(name: string): Promise<Snapshot> {
  const out = path.join(dir, name);
  const r = await runCli(['collect', ...connection(), '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(await readFile(out, 'utf8')) as Snapshot;
}

function runScript(file: string, extraEnv: Record<string, string> = {}) {
  return run('/bin/sh', [path.join(dir, 'plan', file)], {
    env: { ...process.env, SPNAUDIT_SAMBA_URL: lab.ldapUrl, SPNAUDIT_SAMBA_USER: lab.bindDn, PASSWD_FILE: lab.passwordFile, ...extraEnv },
    allowFailure: true,
    label: `sh ${file}`,
  });
}

/**
 * What `appcmd set config "<location>" -section:…windowsAuthentication /<attr>:"<value>"` does to
 * applicationHost.config: set the attribute on that location's element. Only the steps this
 * scenario's plan contains are supported; anything else fails the test rather than being ignored.
 */
async function applyIisStep(a: Extract<FixAction, { type: 'iis-set' }>): Promise<void> {
  const element = a.section.split('/').pop() ?? '';
  if (element !== 'windowsAuthentication' || !/^(useAppPoolCredentials|useKernelMode|enabled)$/.test(a.property)) throw new Error(`lab stand-in for appcmd cannot apply ${a.property}`);
  const candidates = [path.join(dir, 'iis', a.server, 'applicationHost.config'), path.join(dir, 'iis', `${a.server}.applicationHost.config`)];
  let file: string | undefined;
  let xml = '';
  for (const c of candidates) {
    try {
      xml = await readFile(c, 'utf8');
      file = c;
      break;
    } catch {
      // try the next layout
    }
  }
  if (!file) throw new Error(`no applicationHost.config for ${a.server}`);
  const loc = new RegExp(`(<location path="${a.location}">[\\s\\S]*?<${element})([^>]*?)(/?>)`);
  const m = loc.exec(xml);
  if (!m) throw new Error(`no <${element}> in <location path="${a.location}"> of ${file}`);
  const attrs = m[2]!.replace(new RegExp(`\\s${a.property}="[^"]*"`), '');
  xml = xml.replace(loc, `${m[1]}${attrs} ${a.property}="${a.value.toLowerCase()}"${m[3]}`);
  await writeFile(file, xml);
}

function spnMap(s: Snapshot): Record<string, string[]> {
  return Object.fromEntries(s.accounts.map((a) => [a.sAMAccountName.toLowerCase(), a.servicePrincipalNames.map((x) => x.toLowerCase()).sort()]));
}

describeLab('spnaudit plan --shell samba applied to the Samba AD DC', () => {
  beforeAll(async () => {
    lab = requireLab();
    dir = await mkdtemp(path.join(os.tmpdir(), 'spnaudit-plan-'));
    await cp(path.join(ROOT, 'examples/iis'), path.join(dir, 'iis'), { recursive: true });
    await cp(path.join(ROOT, 'examples/spnaudit.yaml'), path.join(dir, 'spnaudit.yaml'));
    original = await collect('original.json');
    before = await audit();
    // negotiate-disabled is left out: turning Negotiate on for "Legacy" makes browsers request an SPN
    // nobody holds, and the plan refuses itself for that (checked below).
    const r = await runCli(['plan', ...inputs(), '--shell', 'samba', '--out-dir', path.join(dir, 'plan'), '--exclude', 'negotiate-disabled', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    plan = JSON.parse(r.stdout) as PlanJson;
  });

  afterAll(async () => {
    if (!dir || !original) return;
    const rollback = await runScript('rollback-domain-spn-changes.sh');
    // Put back what the rollback refuses to recreate (a duplicate), the way the lab seeds it: raw partition.
    const now = spnMap(await collect('after-rollback.json'));
    const missing = original.accounts.flatMap((a) => a.servicePrincipalNames.filter((s) => !(now[a.sAMAccountName.toLowerCase()] ?? []).includes(s.toLowerCase())).map((s) => ({ a, s })));
    if (missing.length > 0) {
      const ldif = missing.map(({ a, s }) => ldifModify(a.dn, [{ op: 'add', attribute: 'servicePrincipalName', values: [s] }])).join('');
      const file = path.join(dir, 'restore.ldif');
      await writeFile(file, ldif);
      const ldbmodify = findExecutable('ldbmodify') ?? 'ldbmodify';
      await run(ldbmodify, ['-H', `mdb://${path.join(lab.targetDir, 'private', 'sam.ldb.d', 'DC=CONTOSO,DC=TEST.ldb')}`, `--configfile=${lab.smbConf}`, file], { label: 'ldbmodify restore' });
    }
    const restored = await collect('restored.json');
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(spnMap(restored)).toEqual(spnMap(original));
    expect(Object.fromEntries(restored.accounts.map((a) => [a.sAMAccountName, a.userAccountControl]))).toEqual(Object.fromEntries(original.accounts.map((a) => [a.sAMAccountName, a.userAccountControl])));
  });

  it('holds back enabling Negotiate on Legacy: it would leave missing-spn on a name it touches', async () => {
    const r = await runCli(['plan', ...inputs(), '--shell', 'samba', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const full = JSON.parse(r.stdout) as { review: Array<{ kind: string; ruleId: string; text: string }> };
    const held = full.review.filter((x) => x.kind === 'held-back');
    expect(held.map((x) => x.ruleId)).toEqual(['negotiate-disabled']);
    expect(held[0]?.text).toMatch(/missing-spn HTTP\/legacy\.contoso\.test would remain/);
  });

  it('writes the samba domain script, cmd scripts for the IIS servers, and a rollback beside each', () => {
    expect(plan.files).toEqual([
      'domain-spn-changes.sh',
      'rollback-domain-spn-changes.sh',
      'iis-WEB02.cmd',
      'rollback-iis-WEB02.cmd',
      'iis-WEB03.cmd',
      'rollback-iis-WEB03.cmd',
    ]);
    expect(plan.simulation.remaining).toEqual([]);
    expect(plan.scripted.length).toBeGreaterThan(0);
  });

  it('a dry run prints the samba-tool commands and changes nothing', async () => {
    const r = await runScript('domain-spn-changes.sh', { SPNAUDIT_DRY_RUN: '1' });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toEqual(expect.arrayContaining(['would run: samba-tool [spn] [delete] [HTTP/hr.contoso.test] [WEB03$]', 'would run: samba-tool [spn] [add] [HTTP/portal] [svc_portal]']));
    expect(spnMap(await collect('after-dry-run.json'))).toEqual(spnMap(original));
  });

  it('the domain script runs as generated: samba-tool over LDAP, no password in the script', async () => {
    const script = await readFile(path.join(dir, 'plan', 'domain-spn-changes.sh'), 'utf8');
    expect(script).not.toContain(lab.password);
    const r = await runScript('domain-spn-changes.sh');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('spnaudit plan: all steps done.');
  });

  it('after the IIS changes too, a fresh audit: the scripted findings are gone and nothing new appeared beyond the simulation', async () => {
    for (const s of plan.steps) if (s.action.type === 'iis-set') await applyIisStep(s.action);
    after = await audit();
    const afterPrints = new Set(after.findings.map((f) => f.fingerprint));
    const beforePrints = new Set(before.findings.map((f) => f.fingerprint));
    const expectedGone = plan.scripted.filter((fp) => plan.simulation.resolved.includes(fp));
    expect(expectedGone.length).toBeGreaterThanOrEqual(4);
    const goneRules = before.findings.filter((f) => expectedGone.includes(f.fingerprint)).map((f) => f.ruleId).sort();
    expect(goneRules).toEqual(expect.arrayContaining(['duplicate-spn', 'missing-spn', 'unconstrained-delegation', 'kernel-mode-needs-app-pool-credentials']));
    expect(expectedGone.filter((fp) => afterPrints.has(fp))).toEqual([]);
    const appeared = after.findings.filter((f) => !beforePrints.has(f.fingerprint)).map((f) => `${f.ruleId} ${f.fingerprint} ${f.severity}`);
    const predicted = plan.simulation.introduced.map((i) => i.fingerprint);
    expect(appeared.filter((a) => !predicted.includes(a.split(' ')[1]!))).toEqual([]);
    expect(appeared.filter((a) => !a.endsWith(' info'))).toEqual([]);
  });

  it('the rollback does not try to recreate the duplicate it resolved, and says so', async () => {
    const rollback = await readFile(path.join(dir, 'plan', 'rollback-domain-spn-changes.sh'), 'utf8');
    expect(rollback).toMatch(/# remove HTTP\/hr\.contoso\.test from CONTOSO\\WEB03\$: not re-added: before the plan HTTP\/hr\.contoso\.test was a duplicate/);
    expect(rollback).not.toMatch(/^spnaudit_samba_tool spn add HTTP\/hr\.contoso\.test/m);
    expect(rollback).toMatch(/^spnaudit_samba_tool spn delete HTTP\/portal svc_portal$/m);
    expect(rollback).toMatch(/^spnaudit_samba_tool delegation for-any-service svc_unconstrained on$/m);
  });
});
