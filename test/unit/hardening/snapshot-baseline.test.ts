/**
 * Snapshot and baseline files that are truncated, from another version, or hand-edited into
 * contradictions, through the real CLI: a clear one-line error naming the file and exit 2 — never a
 * report, and above all never a clean verdict (exit 0) computed from a file that cannot be trusted.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../../src/model/audit.js';
import type { Snapshot } from '../../../src/model/directory.js';
import { readSnapshot, writeSnapshot } from '../../../src/directory/snapshot-io.js';
import { UsageError } from '../../../src/errors.js';
import { runCli, type CliResult } from '../../support/cli.js';

const SLOW = 60_000;
const DIR = path.join(os.tmpdir(), `spnaudit-snapshot-faults-${process.pid}`);
const CONFIG = 'examples/spnaudit.yaml';
const SNAPSHOT_TEXT = readFileSync('examples/contoso.snapshot.json', 'utf8');
const snapshot = (): Snapshot => JSON.parse(SNAPSHOT_TEXT) as Snapshot;

mkdirSync(DIR, { recursive: true });
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = path.join(DIR, name);
  writeFileSync(file, content);
  return file;
}

function mutated(name: string, edit: (s: Record<string, unknown> & Snapshot) => void): string {
  const s = snapshot() as Record<string, unknown> & Snapshot;
  edit(s);
  return write(name, JSON.stringify(s, null, 2));
}

function expectRefused(r: CliResult, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^spnaudit: [^\n]+\n$/);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/internal error/);
}

describe('audit --snapshot with a broken or contradictory snapshot', () => {
  const account = (s: Snapshot, sam: string) => s.accounts.find((a) => a.sAMAccountName === sam)! as unknown as Record<string, unknown>;
  const cases: Array<[string, () => string, RegExp]> = [
    ['truncated mid-file', () => write('truncated.json', SNAPSHOT_TEXT.slice(0, Math.floor(SNAPSHOT_TEXT.length * 0.6))), /truncated\.json:\d+: not valid JSON .*is the snapshot truncated\?/],
    ['truncated to nothing', () => write('zero.json', ''), /zero\.json: not valid JSON/],
    ['not JSON at all', () => write('binary.json', '\u0000\u0001\u001b[2Jgarbage'), /binary\.json(:\d+)?: not valid JSON/],
    ['a list instead of a snapshot', () => write('list.json', '[]'), /list\.json: invalid snapshot: snapshot: must be an object/],
    ['a newer schemaVersion', () => mutated('v99.json', (s) => (s.schemaVersion = 99 as 1)), /v99\.json: invalid snapshot: schemaVersion: 99 is not supported .*re-collect/],
    ['schemaVersion as text', () => mutated('vtext.json', (s) => ((s as Record<string, unknown>).schemaVersion = '1')), /vtext\.json: invalid snapshot: schemaVersion: "1" is not supported/],
    ['no schemaVersion', () => mutated('vnone.json', (s) => delete (s as Record<string, unknown>).schemaVersion), /vnone\.json: invalid snapshot: schemaVersion: undefined is not supported/],
    ['complete: true next to recorded errors', () => mutated('contradiction.json', (s) => { s.complete = true; s.errors = [{ where: 'spn-holders', message: 'socket closed' }]; }), /contradiction\.json: invalid snapshot: complete: is true but errors lists 1 failure\(s\)/],
    ['complete: true with no domain at all', () => mutated('nodomain.json', (s) => { s.domains = []; s.accounts = []; }), /nodomain\.json: invalid snapshot: complete: is true but no domain was collected/],
    ['an account in a domain the snapshot does not have', () => mutated('foreign.json', (s) => (account(s, 'svc_portal').domain = 'evil.test')), /foreign\.json: invalid snapshot: accounts\[\d+\]\.domain: 'evil\.test' is not in domains\[\]/],
    ['two accounts with one objectGUID', () => mutated('dupguid.json', (s) => (account(s, 'svc_portal').objectGuid = s.accounts[0]!.objectGuid)), /dupguid\.json: invalid snapshot: accounts\[\d+\]\.objectGuid: .* appears twice/],
    ['an SPN list that is a string', () => mutated('spnstring.json', (s) => (account(s, 'svc_portal').servicePrincipalNames = 'HTTP/portal.contoso.test')), /spnstring\.json: invalid snapshot: accounts\[\d+\]\.servicePrincipalNames: must be an array/],
    ['an SPN that is a number', () => mutated('spnnumber.json', (s) => (account(s, 'svc_portal').servicePrincipalNames = [80])), /spnnumber\.json: invalid snapshot: accounts\[\d+\]\.servicePrincipalNames\[0\]: must be a string/],
    ['userAccountControl as text', () => mutated('uac.json', (s) => (account(s, 'svc_portal').userAccountControl = '512')), /uac\.json: invalid snapshot: accounts\[\d+\]\.userAccountControl: must be a number/],
    ['a password in the source', () => mutated('password.json', (s) => ((s.source as unknown as Record<string, unknown>).password = 'x')), /password\.json: invalid snapshot: source: must not contain a password/],
  ];

  it.each(cases)('%s: exit 2, one line, no report', async (_label, make, pattern) => {
    expectRefused(await runCli(['audit', '--snapshot', make(), '--config', CONFIG, '--format', 'json']), pattern);
  }, SLOW);

  it('complete: false without errors is believed as incomplete: exit 4, never clean', async () => {
    const file = mutated('incomplete.json', (s) => (s.complete = false));
    const r = await runCli(['audit', '--snapshot', file, '--format', 'json', '--fail-on', 'never']);
    expect(r.code).toBe(4);
    expect((JSON.parse(r.stdout) as AuditResult).scope.complete).toBe(false);
    expect(r.stderr).toMatch(/^spnaudit: INCOMPLETE audit: .*\(exit 4\)\n$/);
  }, SLOW);
});

describe('audit --baseline with a broken or hand-edited baseline', () => {
  let good: AuditResult;

  beforeAll(async () => {
    const r = await runCli(['audit', '--snapshot', 'examples/contoso.snapshot.json', '--config', CONFIG, '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    good = JSON.parse(r.stdout) as AuditResult;
  }, SLOW);

  /** A baseline with one extra finding the current audit lacks, so the resolved/not-checked path runs. */
  function baseline(name: string, edit: (b: Record<string, unknown> & AuditResult, gone: Record<string, unknown>) => void): string {
    const b = structuredClone(good) as Record<string, unknown> & AuditResult;
    const gone = { ...structuredClone(good.findings[0]!), fingerprint: 'f'.repeat(16) } as unknown as Record<string, unknown>;
    b.findings.push(gone as never);
    edit(b, gone);
    return write(name, JSON.stringify(b));
  }

  const cases: Array<[string, () => string, RegExp]> = [
    ['truncated', () => write('b-truncated.json', JSON.stringify(good).slice(0, 5000)), /b-truncated\.json: not a JSON report/],
    ['another schemaVersion', () => baseline('b-v99.json', (b) => ((b as Record<string, unknown>).schemaVersion = 99)), /b-v99\.json: report schemaVersion 99 is not supported/],
    ['a snapshot given as the baseline', () => write('b-snapshot.json', SNAPSHOT_TEXT), /b-snapshot\.json: report schemaVersion .* is not supported|scope must have/],
    ['findings that are not a list', () => baseline('b-findings.json', (b) => ((b as Record<string, unknown>).findings = {})), /b-findings\.json: findings must be a list/],
    ['a finding without a fingerprint', () => baseline('b-nofp.json', (_b, gone) => delete gone.fingerprint), /b-nofp\.json: findings\[\d+\] needs a fingerprint/],
    ['an unknown severity', () => baseline('b-sev.json', (_b, gone) => (gone.severity = 'toString')), /b-sev\.json: findings\[\d+\]\.severity must be error, warning or info/],
    ['a subject server that is a number', () => baseline('b-subject.json', (_b, gone) => ((gone.subject as Record<string, unknown>).server = 5)), /b-subject\.json: findings\[\d+\]\.subject values must be text/],
    ['scope servers that are numbers', () => baseline('b-scope.json', (b) => ((b.scope as unknown as Record<string, unknown>).servers = [1, 2])), /b-scope\.json: scope\.servers and scope\.domains must be lists of names/],
    ['skipped entries that are not objects', () => baseline('b-skipped.json', (b) => ((b.scope as unknown as Record<string, unknown>).skipped = [5])), /b-skipped\.json: scope\.skipped entries need a ruleId and a reason/],
    ['fixes that are a string', () => baseline('b-fixes.json', (_b, gone) => (gone.fixes = 'rm -rf /')), /b-fixes\.json: findings\[\d+\]\.fixes must be a list/],
    ['a fix without a command', () => baseline('b-fix.json', (_b, gone) => (gone.fixes = [{ kind: 'setspn' }])), /b-fix\.json: findings\[\d+\]\.fixes\[0\] needs a kind and a command/],
    ['a title that is not text', () => baseline('b-title.json', (_b, gone) => (gone.title = { html: '<script>' })), /b-title\.json: findings\[\d+\]\.title and message must be text/],
    ['evidence that is a string', () => baseline('b-evidence.json', (_b, gone) => (gone.evidence = 'x')), /b-evidence\.json: findings\[\d+\]\.evidence must be an object/],
    ['a location without a line', () => baseline('b-location.json', (_b, gone) => (gone.location = { file: 'x' })), /b-location\.json: findings\[\d+\]\.location must have a file and a line/],
  ];

  it.each(cases)('%s: exit 2, one line, for every format', async (_label, make, pattern) => {
    const file = make();
    for (const format of ['table', 'csv', 'json']) {
      expectRefused(await runCli(['audit', '--snapshot', 'examples/contoso.snapshot.json', '--config', CONFIG, '--format', format, '--baseline', file]), pattern);
    }
  }, SLOW);

  it('a well-formed baseline with a finding that is gone now: it is listed as resolved (the control case)', async () => {
    const file = baseline('b-ok.json', () => undefined);
    const r = await runCli(['audit', '--snapshot', 'examples/contoso.snapshot.json', '--config', CONFIG, '--format', 'json', '--baseline', file]);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as AuditResult & { baseline: { resolved: Array<{ fingerprint: string }> } };
    expect(report.baseline.resolved.map((f) => f.fingerprint)).toEqual(['f'.repeat(16)]);
  }, SLOW);
});

describe('writing snapshots', () => {
  it('creates a missing folder, as --output and --report do, and the result reads back', async () => {
    const file = path.join(DIR, 'new', 'nested', 'saved.json');
    await writeSnapshot(file, snapshot());
    expect((await readSnapshot(file)).accounts.length).toBe(snapshot().accounts.length);
  });

  it('a place that cannot hold a file is a one-line usage error naming the snapshot', async () => {
    const blocker = write('not-a-folder', 'x');
    const target = path.join(blocker, 'saved.json');
    await expect(writeSnapshot(target, snapshot())).rejects.toThrow(UsageError);
    await expect(writeSnapshot(target, snapshot())).rejects.toThrow(new RegExp(`^cannot write snapshot ${target}: (ENOTDIR|EEXIST)$`));
  });
});
