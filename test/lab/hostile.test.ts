/**
 * The hostile corpus in the REAL directory: throwaway accounts whose sAMAccountName, SPNs and
 * description carry corpus values wherever Samba accepts them (what it refuses is recorded below as
 * data, and asserted, so a Samba upgrade that changes it is noticed), plus one account with 10,000
 * SPNs written over LDAP in batches. They are collected and audited through the real CLI with an IIS
 * config whose site names, pool names, pool userNames and host headers carry the same values, and
 * every output — reports, explain, iis, plan scripts, ticket bodies, collect's own lines — is checked
 * to be inert (test/unit/hardening/hostile/inert.ts). `plan` from a live directory is watched on the
 * wire: bind, search, unbind only.
 *
 * The lab is shared with suites that assert exact findings: everything lives in one OU that afterAll
 * deletes, and afterAll proves the SPN holders are the seeded scenario again.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/model/audit.js';
import type { Snapshot } from '../../src/model/directory.js';
import { REPORT_FORMATS } from '../../src/report/index.js';
import { HOSTILE_VALUES } from '../fixtures/hostile/corpus.js';
import { MANY_SPN_COUNT, MANY_SPN_SAM, hostileApplicationHost, hostileConfig, manySpns, placeValues, siteName, type PlacedValue } from '../fixtures/hostile/pipeline.js';
import { runCli, type CliResult } from '../support/cli.js';
import {
  RAW_INVISIBLE,
  expectCsvInert,
  expectHtmlInert,
  expectJsonInert,
  expectJunitInert,
  expectMarkdownInert,
  expectTerminalInert,
  expectValuesExact,
  scriptCommands,
  scriptKind,
} from '../unit/hardening/hostile/inert.js';
import { expectPlanIntent, type PlanJson } from '../unit/hardening/hostile/plan-intent.js';
import { expectTicketInert, removeTicketTmp, startProviders, syncOnce } from '../unit/hardening/hostile/tickets.js';
import { LdapProxy } from './faults/ldap-proxy.js';
import { ldapSearch } from './harness/ldapsearch.js';
import { values } from './harness/ldif.js';
import { addSpns, addUser, createOu, deleteHostileOu, hostileOuDn } from './hostile/samba.js';
import { describeLab, requireLab, type LabInfo } from './lab-context.js';
import { SCENARIO } from './scenario.js';

/**
 * What Samba 4.17 refuses, per corpus id, as the LDAP result ldapmodify reports. Everything not listed
 * is accepted. `sam`: as sAMAccountName; `spn`: as servicePrincipalName; `description`: as description.
 */
const CONSTRAINT = 'Constraint violation (19)';
const SYNTAX = 'Invalid syntax (21)';
const EXISTS = 'Already exists (68)';
export const SAMBA_REFUSES: Record<string, Partial<Record<'sam' | 'spn' | 'description', string>>> = {
  'meta-38': { sam: CONSTRAINT },
  'meta-124': { sam: CONSTRAINT },
  'meta-94': { sam: CONSTRAINT },
  'meta-37': { sam: CONSTRAINT },
  'meta-33': { sam: CONSTRAINT },
  'meta-34': { sam: CONSTRAINT },
  'meta-39': { sam: CONSTRAINT },
  'meta-96': { sam: CONSTRAINT },
  'meta-36': { sam: CONSTRAINT },
  'meta-59': { sam: CONSTRAINT },
  'meta-40': { sam: CONSTRAINT },
  'meta-41': { sam: CONSTRAINT },
  'meta-60': { sam: CONSTRAINT },
  'meta-62': { sam: CONSTRAINT },
  'cmd-chain': { sam: CONSTRAINT, spn: CONSTRAINT },
  'cmd-percent-var': { sam: CONSTRAINT },
  'cmd-percent-tilde': { spn: CONSTRAINT },
  'cmd-delayed': { spn: CONSTRAINT },
  'cmd-caret-end': { spn: CONSTRAINT },
  'cmd-pipe-in-quotes': { sam: CONSTRAINT, spn: CONSTRAINT },
  'trailing-backslash': { sam: CONSTRAINT },
  'trailing-backslashes': { sam: CONSTRAINT, spn: CONSTRAINT },
  'ps-subexpression': { sam: CONSTRAINT, spn: CONSTRAINT },
  'ps-single-quote': { sam: CONSTRAINT, spn: CONSTRAINT },
  'ps-backtick': { spn: CONSTRAINT },
  'sh-single-quote': { sam: CONSTRAINT, spn: CONSTRAINT },
  'sh-command-subst': { spn: CONSTRAINT },
  'sh-comment': { spn: CONSTRAINT },
  'sh-glob': { sam: CONSTRAINT },
  'leading-dash': { spn: CONSTRAINT },
  'leading-slash': { sam: CONSTRAINT },
  'html-script': { sam: CONSTRAINT, spn: CONSTRAINT },
  'html-attr': { sam: CONSTRAINT, spn: CONSTRAINT },
  'template': { sam: CONSTRAINT },
  'formula-eq': { sam: CONSTRAINT },
  'formula-plus': { sam: CONSTRAINT },
  'formula-at': { sam: CONSTRAINT },
  'markdown-link': { sam: CONSTRAINT, spn: CONSTRAINT },
  'newline': { sam: CONSTRAINT, spn: CONSTRAINT },
  'cr': { sam: CONSTRAINT, spn: CONSTRAINT },
  'crlf': { sam: CONSTRAINT },
  'line-separator': { spn: CONSTRAINT },
  'paragraph-separator': { spn: CONSTRAINT },
  'nel': { spn: CONSTRAINT },
  'nul': { spn: CONSTRAINT },
  'tab-vt-ff': { sam: CONSTRAINT, spn: CONSTRAINT },
  'escape': { sam: CONSTRAINT, spn: CONSTRAINT },
  'del': { sam: CONSTRAINT, spn: CONSTRAINT },
  'rtl-override': { spn: CONSTRAINT },
  'zero-width': { spn: CONSTRAINT },
  'bom': { spn: CONSTRAINT },
  'quote-2018': { spn: CONSTRAINT },
  'quote-2019': { sam: CONSTRAINT, spn: CONSTRAINT },
  'quote-201c': { spn: CONSTRAINT },
  'quote-201d': { spn: CONSTRAINT },
  'fullwidth-quote': { spn: CONSTRAINT },
  'slash-2215': { spn: CONSTRAINT },
  'slash-ff0f': { spn: CONSTRAINT },
  'en-dash': { spn: CONSTRAINT },
  'non-ascii-letters': { spn: CONSTRAINT },
  'long-10k': { sam: CONSTRAINT, description: SYNTAX },
  'long-10k-meta': { sam: CONSTRAINT, spn: CONSTRAINT, description: SYNTAX },
  'empty': { sam: SYNTAX, spn: SYNTAX },
  'space-only': { spn: CONSTRAINT },
  'spaces-around': { sam: CONSTRAINT },
  'dollar-suffix': { sam: EXISTS, spn: CONSTRAINT },
  'at-sign': { spn: CONSTRAINT },
  'domain-backslash': { sam: CONSTRAINT, spn: CONSTRAINT },
};

/** SPN holders Samba creates itself (test/lab/README.md), besides the scenario's. */
const SAMBA_OWN_HOLDERS = ['DC1$', 'krbtgt', 'dns-dc1'];
const DESCRIPTION_MARK = 'hostile-description-not-collected';
const BATCH = 1_000;

let lab: LabInfo;
let dir: string;
const observed: Record<string, Partial<Record<'sam' | 'spn' | 'description', string>>> = {};
let placed: PlacedValue[] = [];
const timings: Record<string, number> = {};
const outputs: Array<{ label: string; text: string }> = [];

function connection(url = lab.ldapUrl): string[] {
  return ['--url', url, '--bind-dn', lab.bindDn, '--password-file', lab.passwordFile];
}

async function cli(label: string, args: string[]): Promise<CliResult> {
  const r = await runCli(args, { timeoutMs: 300_000 });
  outputs.push({ label, text: r.stdout + r.stderr });
  return r;
}

function note(id: string, what: 'sam' | 'spn' | 'description', refusal: string | null): void {
  if (refusal === null) return;
  observed[id] = { ...observed[id], [what]: refusal };
}

/** SPN holders as the directory reports them now: sAMAccountName → sorted lower-case SPNs. */
async function spnHolders(): Promise<Map<string, string[]>> {
  const entries = await ldapSearch(lab, { filter: '(servicePrincipalName=*)', attributes: ['sAMAccountName', 'servicePrincipalName'], paged: true });
  return new Map(entries.map((e) => [values(e, 'sAMAccountName')[0]!, values(e, 'servicePrincipalName').map((s) => s.toLowerCase()).sort()]));
}

describeLab('the hostile corpus in the Samba AD DC, through the whole pipeline', () => {
  let audit: AuditResult;
  let snapshot: Snapshot;
  let config: string;
  let snapshotFile: string;
  const report = (format: string) => path.join(dir, `report.${format}`);

  beforeAll(async () => {
    lab = requireLab();
    dir = await mkdtemp(path.join(os.tmpdir(), 'spnaudit-hostile-lab-'));
    await deleteHostileOu(lab); // a previous run killed before its afterAll
    expect(await createOu(lab)).toEqual({ ok: true, refusal: null });

    let started = Date.now();
    placed = [];
    for (const [index, h] of HOSTILE_VALUES.entries()) {
      const cn = `hx${index}`;
      const description = `${DESCRIPTION_MARK} ${h.value}`;
      let sam = h.value;
      let result = await addUser(lab, cn, sam, description);
      if (!result.ok) {
        // Refused as sAMAccountName? Or as description? Find out which, and keep the account with a tame name.
        const tame = await addUser(lab, cn, cn, description);
        if (tame.ok) {
          note(h.id, 'sam', result.refusal);
        } else {
          note(h.id, 'description', tame.refusal);
          result = await addUser(lab, cn, h.value, null);
          if (!result.ok) {
            note(h.id, 'sam', result.refusal);
            expect(await addUser(lab, cn, cn, null), cn).toEqual({ ok: true, refusal: null });
          }
        }
        if (!result.ok) sam = cn;
      }
      const spn = await addSpns(lab, cn, [h.value]);
      note(h.id, 'spn', spn.refusal);
      placed.push(...placeValues([h], () => ({ sam, spn: spn.ok ? h.value : null })).map((p) => ({ ...p, index, host: `h${index}.contoso.test` })));
    }
    timings.accountsMs = Date.now() - started;

    started = Date.now();
    expect(await addUser(lab, 'hostile-many', MANY_SPN_SAM, null)).toEqual({ ok: true, refusal: null });
    const many = manySpns();
    for (let i = 0; i < many.length; i += BATCH) expect(await addSpns(lab, 'hostile-many', many.slice(i, i + BATCH)), `batch ${i}`).toEqual({ ok: true, refusal: null });
    timings.manySpnsMs = Date.now() - started;

    await writeFile(path.join(dir, 'HWEB1.applicationHost.config'), hostileApplicationHost(placed));
    config = path.join(dir, 'spnaudit.json');
    await writeFile(config, JSON.stringify(hostileConfig(placed, 'HWEB1.applicationHost.config'), null, 2));
    snapshotFile = path.join(dir, 'snapshot.json');

    started = Date.now();
    const reports = REPORT_FORMATS.filter((f) => f !== 'json').flatMap((f) => ['--report', `${f}=${report(f)}`]);
    const r = await cli('audit', ['audit', ...connection(), '--config', config, '--format', 'json', '--output', report('json'), ...reports, '--save-snapshot', snapshotFile]);
    timings.auditMs = Date.now() - started;
    expect(r.code, r.stderr.slice(0, 500)).toBe(1);
    audit = JSON.parse(await readFile(report('json'), 'utf8')) as AuditResult;
    snapshot = JSON.parse(await readFile(snapshotFile, 'utf8')) as Snapshot;
    process.stderr.write(`hostile lab timings: ${JSON.stringify(timings)}\n`);
  }, 600_000);

  afterAll(async () => {
    if (!lab) return;
    await deleteHostileOu(lab);
    await rm(dir, { recursive: true, force: true });
    removeTicketTmp();
    // Other lab suites assert exact findings: the SPN holders must be the seeded scenario again.
    const expected = new Map<string, string[]>(SCENARIO.filter((a) => a.spns.length > 0).map((a) => [a.name, [...new Set(a.spns.map((s) => s.toLowerCase()))].sort()]));
    const now = await spnHolders();
    for (const own of SAMBA_OWN_HOLDERS) now.delete(own);
    expect(new Map([...now].sort(([a], [b]) => a.localeCompare(b)))).toEqual(new Map([...expected].sort(([a], [b]) => a.localeCompare(b))));
    const left = await ldapSearch(lab, { filter: `(|(sAMAccountName=hx*)(sAMAccountName=${MANY_SPN_SAM})(ou=SpnauditHostile))`, attributes: ['dn'] });
    expect(left).toEqual([]);
  }, 600_000);

  it('Samba refuses exactly what is recorded (and accepts the rest of the corpus)', () => {
    process.stderr.write(`hostile lab: Samba refusals observed: ${JSON.stringify(observed, null, 1)}\n`);
    expect(observed).toEqual(SAMBA_REFUSES);
  });

  it('collects every accepted value exactly, the 10,000 SPNs, and never the description', async () => {
    const byDn = new Map(snapshot.accounts.filter((a) => a.dn.toLowerCase().endsWith(hostileOuDn(lab).toLowerCase())).map((a) => [a.dn.split(',')[0]!.slice(3), a]));
    for (const p of placed) {
      const a = byDn.get(`hx${p.index}`);
      expect(a?.sAMAccountName, p.id).toBe(p.sam);
      expect(a?.servicePrincipalNames ?? [], p.id).toEqual(p.spn === null ? [] : [p.spn]);
    }
    const big = snapshot.accounts.find((a) => a.sAMAccountName === MANY_SPN_SAM);
    expect(big?.servicePrincipalNames).toHaveLength(MANY_SPN_COUNT);
    const raw = await readFile(snapshotFile, 'utf8');
    expect(raw).not.toContain(DESCRIPTION_MARK);
    expect(RAW_INVISIBLE.test(raw.replace(/\n/g, ''))).toBe(false);
  });

  it('collect: its summary line and stderr are inert', async () => {
    const r = await cli('collect', ['collect', ...connection(), '--config', config, '--out', path.join(dir, 'collect.json')]);
    expect(r.code, r.stderr.slice(0, 300)).toBe(0);
    expect(r.stdout).toMatch(/^collected \d+ accounts, \d+ SPNs from contoso\.test in [\d.]+ s -> /);
    expectTerminalInert(r.stdout + r.stderr, 'collect');
  });

  describe('audit reports', () => {
    const spns = () => placed.map((p) => p.spn).filter((s): s is string => s !== null && s !== '');

    it('json and sarif keep every collected value exactly', async () => {
      expectValuesExact(expectJsonInert(await readFile(report('json'), 'utf8'), 'json'), [...spns(), ...placed.map((p) => p.sam)], 'json');
      expectValuesExact(expectJsonInert(await readFile(report('sarif'), 'utf8'), 'sarif'), spns(), 'sarif');
    });

    it('html, markdown, csv, junit, table are inert', async () => {
      expectHtmlInert(await readFile(report('html'), 'utf8'), spns(), 'html');
      expectMarkdownInert(await readFile(report('markdown'), 'utf8'), 'markdown');
      expectCsvInert(await readFile(report('csv'), 'utf8'), audit.findings.length, 'csv');
      expectJunitInert(await readFile(report('junit'), 'utf8'), 'junit');
      expectTerminalInert(await readFile(report('table'), 'utf8'), 'table');
      expectTerminalInert(outputs.find((o) => o.label === 'audit')!.text, 'audit output');
    });

    it('the findings carry the hostile values into their fixes', () => {
      const commands = audit.findings.flatMap((f) => f.fixes.map((x) => x.command)).join('\n');
      const carried = placed.filter((p) => p.spn !== null && p.spn.length > 3 && commands.includes(p.spn));
      expect(carried.length).toBeGreaterThan(5);
    });
  });

  it('explain (text and json) for hostile sites', async () => {
    for (const id of ['rtl-override', 'cmd-chain', 'sh-command-subst', 'quote-2019', 'long-10k']) {
      const p = placed.find((x) => x.id === id)!;
      const text = await cli(`explain ${id}`, ['explain', `http://${p.host}:8080/`, '--snapshot', snapshotFile, '--config', config]);
      expectTerminalInert(text.stdout + text.stderr, `explain ${id}`);
      const json = await cli(`explain json ${id}`, ['explain', `http://${p.host}:8080/`, '--snapshot', snapshotFile, '--config', config, '--format', 'json']);
      expectValuesExact(expectJsonInert(json.stdout, `explain json ${id}`), [siteName(p)], `explain json ${id}`);
    }
  });

  it.each(['cmd', 'powershell', 'samba'] as const)('plan --shell %s: every line inert, ours, or exactly its intended command', async (shell) => {
    const out = path.join(dir, `plan-${shell}`);
    const r = await cli(`plan ${shell}`, ['plan', '--snapshot', snapshotFile, '--config', config, '--shell', shell, '--out-dir', out, '--min-severity', 'info']);
    expect(r.code, r.stderr.slice(0, 300)).toBe(0);
    expectTerminalInert(r.stdout, `plan ${shell}`);
    const json = await cli(`plan json ${shell}`, ['plan', '--snapshot', snapshotFile, '--config', config, '--shell', shell, '--json', '--min-severity', 'info']);
    const plan = expectJsonInert(json.stdout, 'plan json') as PlanJson;
    let commands = 0;
    for (const name of (await readdir(out)).sort()) {
      const found = scriptCommands(name, await readFile(path.join(out, name), 'utf8'));
      expectPlanIntent(plan, name, scriptKind(name), found);
      commands += found.length;
    }
    expect(commands).toBeGreaterThan(10);
  });

  it('plan from the live directory sends only bind, search and unbind', async () => {
    const proxy = await LdapProxy.start(lab.ldapUrl);
    try {
      const r = await cli('plan live', ['plan', ...connection(proxy.url), '--config', config, '--shell', 'samba', '--out-dir', path.join(dir, 'plan-live')]);
      expect(r.code, r.stderr.slice(0, 300)).toBe(0);
      const ops = new Set(proxy.opNames());
      expect(ops.has('searchRequest')).toBe(true);
      expect([...ops].filter((op) => !['bindRequest', 'searchRequest', 'unbindRequest'].includes(op))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('ticket bodies for every provider are inert', async () => {
    const providers = await startProviders();
    try {
      for (const p of providers) {
        const run = await syncOnce(audit, p);
        expect(p.server.violations, p.name).toEqual([]);
        expectTerminalInert(run.stdout + run.stderr, `${p.name} output`);
        for (const [i, b] of p.bodies().entries()) expectTicketInert(b, `${p.name} #${i}`);
        expect([...p.counts().values()].every((n) => n === 1), p.name).toBe(true);
      }
    } finally {
      for (const p of providers) await p.server.stop();
    }
  }, 300_000);

  it('no output of this suite carries the lab password', () => {
    for (const o of outputs) expect(o.text.includes(lab.password), o.label).toBe(false);
  });
});
