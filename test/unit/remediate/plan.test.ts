/**
 * The plan's decisions: ordering, conflicts, alternatives, conditional fixes, safety refusals,
 * rollback inversion and the simulation on the snapshot. Findings are built with the same fix
 * builders the rules use; where a real rule is the point, the real audit runs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/analyze/audit.js';
import { accountSetFix, appcmdSet, manualFix, setspnAdd, setspnRemove, type FixAccount } from '../../../src/analyze/fixes.js';
import type { AuditResult } from '../../../src/model/audit.js';
import type { Account, Snapshot } from '../../../src/model/directory.js';
import type { Finding, Fix, Severity } from '../../../src/model/finding.js';
import type { Inventory } from '../../../src/model/iis.js';
import { buildPlan, filterFindings, PlanRefusedError, renderPlanFiles, type Plan, type PlanFilters } from '../../../src/remediate/index.js';
import { isConditionalNote } from '../../../src/remediate/select.js';
import { account, computer, inventory, pool, server, site, snapshot } from '../../support/fixtures.js';

const NOW = new Date('2026-06-01T00:00:00.000Z');
const FILTERS: PlanFilters = { only: [], exclude: [], accounts: [], hosts: [], minSeverity: 'info' };
const WA = 'system.webServer/security/authentication/windowsAuthentication';

const fa = (a: Account): FixAccount => ({ netbiosDomain: 'CONTOSO', domain: a.domain, sAMAccountName: a.sAMAccountName, kind: a.kind });

let seq = 0;
function finding(ruleId: string, fixes: Fix[], severity: Severity = 'error', subject: Finding['subject'] = {}): Finding {
  seq += 1;
  return { fingerprint: `fp${String(seq).padStart(3, '0')}`, ruleId, severity, title: ruleId, message: `${ruleId} #${seq}`, subject, evidence: {}, fixes };
}

function auditOf(snap: Snapshot, inv: Inventory | null, findings?: Finding[]): AuditResult {
  const real = runAudit(snap, inv, { now: NOW, generatedAt: NOW });
  return findings ? { ...real, findings } : real;
}

function plan(snap: Snapshot, inv: Inventory | null, findings?: Finding[], filters: Partial<PlanFilters> = {}): Plan {
  return buildPlan({ audit: auditOf(snap, inv, findings), snapshot: snap, inventory: inv, filters: { ...FILTERS, ...filters }, now: NOW });
}

const describeStep = (p: Plan) =>
  p.steps.map((s) => {
    const a = s.action;
    if (a.type === 'spn-add' || a.type === 'spn-remove') return `${a.type} ${a.spn} ${a.account}`;
    if (a.type === 'iis-set') return `iis-set ${a.server} ${a.location} ${a.property}=${a.value}`;
    return `account-set ${a.account} ${a.property}=${a.value}`;
  });

const svcOld = account({ sam: 'svc_old', spns: ['HTTP/app.contoso.test'] });
const svcNew = account({ sam: 'svc_new', uac: 0x202 });
const web01 = computer('WEB01');
const inv = inventory({ servers: [server({ name: 'WEB01', pools: [pool('AppPool', 'CONTOSO\\svc_new')], sites: [site('App', { pool: 'AppPool' })] })] });

describe('order', () => {
  it('account fixes first, then removals, then additions, IIS last, whatever the finding order', () => {
    const snap = snapshot({ accounts: [svcOld, svcNew, web01] });
    const p = plan(snap, inv, [
      finding('kernel-mode-needs-app-pool-credentials', [appcmdSet('WEB01', 'App', WA, 'useAppPoolCredentials', 'True', 'False')]),
      finding('spn-on-wrong-account', [setspnAdd('HTTP/app.contoso.test', fa(svcNew)), setspnRemove('HTTP/app.contoso.test', fa(svcOld))]),
      finding('account-unusable', [accountSetFix(fa(svcNew), { kind: 'flag', cmdlet: 'class', flag: 'Enabled', value: true, previous: false })]),
    ]);
    expect(describeStep(p)).toEqual([
      'account-set svc_new Enabled=true',
      'spn-remove HTTP/app.contoso.test svc_old',
      'spn-add HTTP/app.contoso.test svc_new',
      'iis-set WEB01 App useAppPoolCredentials=True',
    ]);
    expect(p.steps.map((s) => s.phase)).toEqual(['account', 'spn-remove', 'spn-add', 'iis']);
  });

  it('one step for the same change wanted by two findings, listing both', () => {
    const snap = snapshot({ accounts: [svcNew] });
    const add = () => setspnAdd('HTTP/new.contoso.test', fa(svcNew));
    const p = plan(snap, null, [finding('missing-spn', [add()]), finding('missing-spn-variant', [add()], 'warning')]);
    expect(p.steps).toHaveLength(1);
    expect(p.steps[0]?.findings).toHaveLength(2);
    expect(p.steps[0]?.ruleIds).toEqual(['missing-spn', 'missing-spn-variant']);
  });
});

describe('conflicts become decisions, never contradictory commands', () => {
  const a = account({ sam: 'svc_a' });
  const b = account({ sam: 'svc_b' });
  const c = account({ sam: 'svc_c' });

  it('the same SPN wanted on two accounts: neither is added, both options listed, other steps stay', () => {
    const snap = snapshot({ accounts: [a, b, c] });
    const p = plan(snap, null, [
      finding('missing-spn', [setspnAdd('HTTP/x.contoso.test', fa(a))]),
      finding('missing-spn', [setspnAdd('HTTP/X.contoso.test', fa(b))]),
      finding('missing-spn', [setspnAdd('HTTP/y.contoso.test', fa(c))]),
    ]);
    expect(describeStep(p)).toEqual(['spn-add HTTP/y.contoso.test svc_c']);
    expect(p.decisions).toHaveLength(1);
    expect(p.decisions[0]?.title).toMatch(/http\/x\.contoso\.test is wanted on 2 accounts/);
    expect(p.decisions[0]?.options.map((o) => o.actions.map((x) => (x.type === 'spn-add' ? x.account : '')))).toEqual([['svc_a'], ['svc_b']]);
    expect(p.findings.filter((f) => f.status === 'decision')).toHaveLength(2);
  });

  it('a finding whose step conflicts loses all its steps (no half move)', () => {
    const holder = account({ sam: 'svc_holder', spns: ['HTTP/x.contoso.test'] });
    const snap = snapshot({ accounts: [a, b, holder] });
    const p = plan(snap, null, [
      finding('spn-on-wrong-account', [setspnRemove('HTTP/x.contoso.test', fa(holder)), setspnAdd('HTTP/x.contoso.test', fa(a))]),
      finding('missing-spn', [setspnAdd('HTTP/x.contoso.test', fa(b))]),
    ]);
    expect(p.steps).toEqual([]);
    expect(p.decisions[0]?.options[0]?.actions.map((x) => x.type)).toEqual(['spn-remove', 'spn-add']);
  });

  it('one finding adds an SPN to an account another removes it from', () => {
    const holder = account({ sam: 'svc_holder', spns: ['HTTP/x.contoso.test'] });
    const snap = snapshot({ accounts: [holder] });
    const p = plan(snap, null, [
      finding('port-in-spn', [setspnRemove('HTTP/x.contoso.test', fa(holder))]),
      finding('missing-spn', [setspnAdd('HTTP/x.contoso.test', fa(holder))]),
    ]);
    expect(p.steps).toEqual([]);
    expect(p.decisions[0]?.title).toMatch(/adds http\/x\.contoso\.test to contoso\.test\\svc_holder, another removes it/);
  });

  it('two values for one IIS property', () => {
    const snap = snapshot({ accounts: [web01] });
    const p = plan(snap, inv, [
      finding('kernel-mode-needs-app-pool-credentials', [appcmdSet('WEB01', 'App', WA, 'useAppPoolCredentials', 'True', 'False')]),
      finding('spn-on-wrong-account', [appcmdSet('WEB01', 'App', WA, 'useAppPoolCredentials', 'False', 'True')]),
    ]);
    expect(p.steps).toEqual([]);
    expect(p.decisions[0]?.title).toMatch(/2 different values wanted for iis web01 app/);
  });

  it('a real duplicate without an owner from IIS: one option per holder, nothing emitted', () => {
    const snap = snapshot({ accounts: [account({ sam: 'svc_dup1', spns: ['HTTP/shared.contoso.test'] }), account({ sam: 'svc_dup2', spns: ['HTTP/shared.contoso.test'] })] });
    const p = plan(snap, null, undefined, { only: ['duplicate-spn'] });
    expect(p.steps).toEqual([]);
    expect(p.decisions).toHaveLength(1);
    expect(p.decisions[0]?.options.map((o) => o.label)).toEqual([
      'only if CONTOSO\\svc_dup1 is not the account that must decrypt',
      'only if CONTOSO\\svc_dup2 is not the account that must decrypt',
    ]);
  });
});

describe('conditional, manual and refused fixes are never run', () => {
  it.each([
    ['only if CONTOSO\\svc is not the account that must decrypt', true],
    ['instead, if the account is retired: frees the SPN', true],
    ['if the account stays a user account', true],
    ['gMSA move, step 2: frees the SPN so setspn -S can register it on the gMSA', true],
    ['run on WEB01 if every user of this path must sign in; skip it if authorization rules already deny anonymous users', true],
    ['needed once www.contoso.test is an A record', true],
    ['once nothing on this name needs CONTOSO\\x to decrypt', true],
    ['when the back end is gone or was renamed (then add its current SPN instead)', true],
    ['run on WEB01; only if the client change is impossible', true],
    ['run on WEB02', false],
    ['then change the password: it may already have been captured', false],
    ['together with useAppPoolCredentials=True for this site (see kernel-mode-needs-app-pool-credentials)', false],
    ['AES keys exist only if the password was set on a Windows Server 2008+ DC: reset it if aes-keys-missing is reported too', false],
    ['replaces the list: the command repeats the principals granted today', false],
    [undefined, false],
  ])('note %j is conditional: %s', (note, expected) => {
    expect(isConditionalNote(note)).toBe(expected);
  });

  it('one conditional fix: review item; a manual fix: review item; neither becomes a step', () => {
    const snap = snapshot({ accounts: [svcOld] });
    const p = plan(snap, null, [finding('cname-binding', [manualFix('Replace the CNAME'), setspnRemove('HTTP/app.contoso.test', fa(svcOld), { note: 'only if nothing uses it' })])]);
    expect(p.steps).toEqual([]);
    expect(p.review.map((r) => r.kind)).toEqual(['manual', 'conditional']);
    expect(p.findings[0]?.status).toBe('review');
  });

  it('never removes HOST/ (or another machine SPN) from a computer, even when a finding asks', () => {
    const snap = snapshot({ accounts: [web01] });
    const p = plan(snap, null, [finding('duplicate-spn', [setspnRemove('HOST/WEB01', fa(web01))])]);
    expect(p.steps).toEqual([]);
    expect(p.review).toMatchObject([{ kind: 'refused', text: expect.stringContaining('registered by Windows for the computer') }]);
  });

  it('an account fix without a structured change is listed for manual review, not re-rendered', () => {
    const snap = snapshot({ accounts: [svcNew] });
    const legacy: Fix = { kind: 'powershell', command: 'Set-ADUser -Identity x -Foo', action: { type: 'account-set', account: 'svc_new', accountKind: 'user', domain: 'contoso.test', property: 'Foo', value: '1', previous: null } };
    const p = plan(snap, null, [finding('account-unusable', [legacy])]);
    expect(p.steps).toEqual([]);
    expect(p.review[0]?.kind).toBe('not-renderable');
  });
});

describe('simulation', () => {
  it('holds back a step that would leave a duplicate on a name it touches, for review with the reason', () => {
    const holder = account({ sam: 'svc_holder', spns: ['HTTP/x.contoso.test'] });
    const snap = snapshot({ accounts: [holder, svcNew] });
    const f = finding('missing-spn', [setspnAdd('HTTP/x.contoso.test', fa(svcNew))]);
    const p = plan(snap, null, [f]);
    expect(p.steps).toEqual([]);
    expect(p.simulation.remaining).toEqual([]);
    expect(p.review.map((r) => [r.kind, r.finding, r.ruleId])).toEqual([['held-back', f.fingerprint, 'missing-spn']]);
    expect(p.review[0]?.text).toMatch(/^Held back by the plan's simulation: after this change duplicate-spn HTTP\/x\.contoso\.test would remain/);
    expect(p.findings.map((x) => x.status)).toEqual(['review']);
  });

  it('holds back a step that removes the SPN a site needs (missing-spn after it) and keeps the others', () => {
    const portal = account({ sam: 'svc_portal', spns: ['HTTP/portal.contoso.test', 'HTTP/other.contoso.test:8080'] });
    const invPortal = inventory({ servers: [server({ name: 'WEB03', pools: [pool('PortalPool', 'CONTOSO\\svc_portal', 'WEB03')], sites: [site('Portal', { pool: 'PortalPool', bindings: ['http *:80:portal.contoso.test'], auth: { windows: { useAppPoolCredentials: true } } })] })] });
    const snap = snapshot({ accounts: [portal, computer('WEB03')] });
    const bad = finding('port-in-spn', [setspnRemove('HTTP/portal.contoso.test', fa(portal))]);
    const good = finding('port-in-spn', [setspnRemove('HTTP/other.contoso.test:8080', fa(portal))]);
    const p = plan(snap, invPortal, [bad, good]);
    expect(describeStep(p)).toEqual(['spn-remove HTTP/other.contoso.test:8080 svc_portal']);
    expect(p.review.filter((r) => r.kind === 'held-back').map((r) => r.finding)).toEqual([bad.fingerprint]);
    expect(p.review.find((r) => r.kind === 'held-back')?.text).toMatch(/missing-spn HTTP\/portal\.contoso\.test would remain/);
  });

  it('the real rules: duplicate with an owner decided by IIS is fixed, and the simulation shows it resolved', () => {
    const hr = account({ sam: 'svc_hr', spns: ['HTTP/hr.contoso.test'] });
    const web03 = computer('WEB03', { spns: ['HOST/WEB03', 'HOST/web03.contoso.test', 'HTTP/hr.contoso.test'] });
    const invHr = inventory({ servers: [server({ name: 'WEB03', pools: [pool('HrPool', 'CONTOSO\\svc_hr', 'WEB03')], sites: [site('HR', { pool: 'HrPool', bindings: ['http *:80:hr.contoso.test'], auth: { windows: { useAppPoolCredentials: true } } })] })] });
    const snap = snapshot({ accounts: [hr, web03] });
    const p = plan(snap, invHr, undefined, { only: ['duplicate-spn'] });
    expect(describeStep(p)).toEqual(['spn-remove HTTP/hr.contoso.test WEB03$']);
    expect(p.simulation.remaining).toEqual([]);
    expect(p.simulation.touchedSpns).toEqual(['http/hr.contoso.test']);
    const dup = auditOf(snap, invHr).findings.find((f) => f.ruleId === 'duplicate-spn');
    expect(p.simulation.resolved).toContain(dup?.fingerprint);
  });

  it('IIS changes are simulated: useAppPoolCredentials makes the pool identity the decrypting account', () => {
    const portal = account({ sam: 'svc_portal', spns: ['HTTP/portal.contoso.test'] });
    const invPortal = inventory({ servers: [server({ name: 'WEB03', pools: [pool('PortalPool', 'CONTOSO\\svc_portal', 'WEB03')], sites: [site('Portal', { pool: 'PortalPool', bindings: ['http *:80:portal.contoso.test'] })] })] });
    const snap = snapshot({ accounts: [portal, computer('WEB03')] });
    const before = auditOf(snap, invPortal).findings.filter((f) => f.ruleId === 'kernel-mode-needs-app-pool-credentials');
    expect(before).toHaveLength(1);
    const p = plan(snap, invPortal, undefined, { only: ['kernel-mode-needs-app-pool-credentials'] });
    expect(describeStep(p)).toEqual(['iis-set WEB03 Portal useAppPoolCredentials=True']);
    expect(p.simulation.resolved).toEqual([before[0]?.fingerprint]);
    expect(p.simulation.introduced).toEqual([]);
  });
});

describe('rollback', () => {
  it('inverts every step in mirror order, restoring previous IIS and account values', () => {
    const snap = snapshot({ accounts: [svcOld, svcNew, web01] });
    const p = plan(snap, inv, [
      finding('spn-on-wrong-account', [setspnRemove('HTTP/app.contoso.test', fa(svcOld)), setspnAdd('HTTP/app.contoso.test', fa(svcNew))]),
      finding('account-unusable', [accountSetFix(fa(svcNew), { kind: 'flag', cmdlet: 'class', flag: 'Enabled', value: true, previous: false })]),
      finding('rc4-only', [accountSetFix(fa(svcNew), { kind: 'encryption-types', value: 24, previous: 4 })]),
      finding('kernel-mode-needs-app-pool-credentials', [appcmdSet('WEB01', 'App', WA, 'useAppPoolCredentials', 'True', 'False')]),
    ]);
    const forward = describeStep(p);
    const back = describeStep({ ...p, steps: p.rollback });
    expect(back).toEqual([
      'iis-set WEB01 App useAppPoolCredentials=False',
      'spn-remove HTTP/app.contoso.test svc_new',
      'spn-add HTTP/app.contoso.test svc_old',
      'account-set svc_new msDS-SupportedEncryptionTypes=4',
      'account-set svc_new Enabled=false',
    ]);
    expect(forward).toHaveLength(back.length);
    const inv0 = p.rollback[3]?.action;
    expect(inv0?.type === 'account-set' ? inv0.change : null).toEqual({ kind: 'encryption-types', value: 4, previous: 24 });
  });

  it('what cannot be undone is said, not scripted', () => {
    const snap = snapshot({ accounts: [svcNew] });
    const p = plan(snap, null, [
      finding('account-unusable', [accountSetFix(fa(svcNew), { kind: 'unlock' }), accountSetFix(fa(svcNew), { kind: 'reset-password' })]),
    ]);
    expect(p.rollback).toEqual([]);
    expect(p.manualUndo.map((u) => u.reason)).toEqual([expect.stringMatching(/cannot be undone/), 'an unlock needs no undo']);
  });

  it('does not re-add a removed duplicate (setspn -S would refuse it): says why instead', () => {
    const hr = account({ sam: 'svc_hr', spns: ['HTTP/hr.contoso.test'] });
    const web03 = computer('WEB03', { spns: ['HOST/WEB03', 'HTTP/hr.contoso.test'] });
    const p = plan(snapshot({ accounts: [hr, web03] }), null, [finding('duplicate-spn', [setspnRemove('HTTP/hr.contoso.test', fa(web03))])]);
    expect(p.rollback).toEqual([]);
    expect(p.manualUndo.map((u) => u.reason)).toEqual([expect.stringMatching(/was a duplicate \(also on svc_hr\)/)]);
  });
});

describe('filters', () => {
  const f1 = finding('missing-spn', [setspnAdd('HTTP/a.contoso.test', fa(svcNew))], 'error', { host: 'a.contoso.test', server: 'WEB01' });
  const f2 = finding('rc4-only', [accountSetFix(fa(svcOld), { kind: 'encryption-types', value: 24, previous: 4 })], 'warning', { account: 'CONTOSO\\svc_old' });
  const f3 = finding('enctypes-unset', [], 'info', { account: 'CONTOSO\\svc_new' });
  it.each([
    [{}, ['missing-spn', 'rc4-only', 'enctypes-unset']],
    [{ minSeverity: 'warning' }, ['missing-spn', 'rc4-only']],
    [{ only: ['rc4-only'] }, ['rc4-only']],
    [{ exclude: ['rc4-only'] }, ['missing-spn', 'enctypes-unset']],
    [{ accounts: ['svc_old'] }, ['rc4-only']],
    [{ accounts: ['CONTOSO\\SVC_NEW'] }, ['enctypes-unset']],
    [{ accounts: ['svc_new'] }, ['missing-spn', 'enctypes-unset']],
    [{ hosts: ['A.contoso.test'] }, ['missing-spn']],
    [{ hosts: ['web01'] }, ['missing-spn']],
  ] as const)('%j', (filters, expected) => {
    expect(filterFindings([f1, f2, f3], { ...FILTERS, ...filters } as PlanFilters).map((f) => f.ruleId)).toEqual(expected);
  });
});

describe('the example domain', () => {
  const example = JSON.parse(readFileSync(new URL('../../../examples/contoso.snapshot.json', import.meta.url), 'utf8')) as Snapshot;

  it('every account fix the rules produce carries a structured change (re-renderable in every shell)', () => {
    const audit = runAudit(example, null, { now: NOW });
    const accountSets = audit.findings.flatMap((f) => f.fixes).filter((x) => x.action?.type === 'account-set');
    expect(accountSets.length).toBeGreaterThan(5);
    expect(accountSets.filter((x) => x.action?.type === 'account-set' && !x.action.change)).toEqual([]);
  });

  it('samba: changes samba-tool cannot make are marked manual explicitly, SPN moves are scripted', () => {
    const p = buildPlan({ audit: runAudit(example, null, { now: NOW }), snapshot: example, inventory: null, filters: { ...FILTERS, minSeverity: 'warning' }, now: NOW });
    const out = renderPlanFiles(p, 'samba');
    const domain = out.files.find((f) => f.name === 'domain-spn-changes.sh')!;
    expect(domain.content).toMatch(/NOT SCRIPTED - Manual: samba-tool has no command for UseDESKeyOnly/);
    expect(domain.content).toMatch(/^spnaudit_samba_tool delegation for-any-service svc_unconstrained off$/m);
    for (const m of out.manualSteps) expect(m.reason).toMatch(/^(Manual|Command withheld)/);
  });
});
