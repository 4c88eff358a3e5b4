/**
 * Whole script files over a directory and IIS config full of hostile names: every line of every
 * file is a blank, an inert comment, one of the scripts' own fixed lines, or a command that
 * tokenizes to exactly the argv it was rendered from. Nothing else can run.
 */
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/analyze/audit.js';
import { accountSetFix, appcmdSet, manualFix, setspnAdd, setspnRemove, type FixAccount } from '../../../src/analyze/fixes.js';
import type { Account } from '../../../src/model/directory.js';
import type { Finding } from '../../../src/model/finding.js';
import { buildPlan, renderPlanFiles, type Shell } from '../../../src/remediate/index.js';
import type { PlanFile } from '../../../src/remediate/script.js';
import { HOSTILE_VALUES } from '../../fixtures/hostile/corpus.js';
import { account, inventory, pool, server, site, snapshot } from '../../support/fixtures.js';
import { expectLineRuns } from './expect-argv.js';
import { FIXED_LINES } from './fixed-lines.js';
import { tokenizeCmdLine, tokenizePowerShellLine, tokenizeShLine } from './tokenizers.js';

const NOW = new Date('2026-06-01T00:00:00.000Z');
const WA = 'system.webServer/security/authentication/windowsAuthentication';


function lineKind(shell: PlanFile['shell'], line: string): string {
  if (shell === 'cmd') return tokenizeCmdLine(line).kind;
  if (shell === 'powershell') return tokenizePowerShellLine(line).kind;
  return tokenizeShLine(line).kind;
}

/** Checks a file line by line; returns the number of live command lines. */
function checkFile(file: PlanFile): number {
  const sep = file.shell === 'cmd' ? '\r\n' : '\n';
  const body = file.content.replace(/^\ufeff/, '');
  expect(body.endsWith(sep)).toBe(true);
  const lines = body.slice(0, -sep.length).split(sep);
  if (file.shell === 'cmd') expect(body.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  expect(body).not.toMatch(/[\u0000\u2028\u2029\u0085\u202e]/);
  const commandsByLine = new Map(file.commands.map((c) => [c.line, c]));
  let live = 0;
  for (const line of lines) {
    if (FIXED_LINES[file.shell].has(line)) continue;
    const bare = file.shell === 'cmd' ? line.replace(/ \|\| goto :failed$/, '') : line;
    const command = commandsByLine.get(bare);
    if (command) {
      expectLineRuns(line, command);
      live++;
      continue;
    }
    expect(['comment', 'blank'], `${file.name}: ${JSON.stringify(line.slice(0, 160))}`).toContain(lineKind(file.shell, line));
  }
  return live;
}

describe('script files over hostile names', () => {
  const usable = HOSTILE_VALUES.filter((h) => h.value !== '');
  const accounts: Account[] = usable.map((h, i) => account({ sam: `${h.value}${i}`, spns: [`HTTP/${h.value}`, `HTTP/ok${i}.contoso.test`] }));
  const spare = account({ sam: 'svc_spare' });
  const fa = (a: Account): FixAccount => ({ netbiosDomain: 'CONTOSO', domain: a.domain, sAMAccountName: a.sAMAccountName, kind: a.kind });
  const inv = inventory({
    servers: [
      server({ name: 'WEB01', pools: [pool('P')], sites: usable.map((h, i) => site(`${h.value}${i}`, { id: i + 1, pool: 'P', bindings: [`http *:80:site${i}.contoso.test`] })) }),
    ],
  });
  const findings: Finding[] = usable.flatMap((h, i): Finding[] => {
    const a = accounts[i]!;
    const base = { severity: 'error' as const, title: 't', subject: {}, evidence: {} };
    return [
      {
        ...base,
        fingerprint: `rm${i}`,
        ruleId: 'port-in-spn',
        message: `remove ${h.value}`,
        fixes: [setspnRemove(`HTTP/${h.value}`, fa(a)), manualFix(`Look at ${h.value} by hand`, `note ${h.value}`)],
      },
      {
        ...base,
        fingerprint: `acct${i}`,
        ruleId: 'rc4-only',
        message: h.value,
        fixes: [accountSetFix(fa(a), { kind: 'multi-value', attribute: 'msDS-AllowedToDelegateTo', op: 'add', values: [h.value], previous: [] })],
      },
      {
        ...base,
        fingerprint: `iis${i}`,
        ruleId: 'anonymous-identity-mismatch',
        message: h.value,
        fixes: [appcmdSet('WEB01', `${h.value}${i}`, 'system.webServer/security/authentication/anonymousAuthentication', 'userName', h.value, 'IUSR')],
      },
      {
        ...base,
        fingerprint: `cond${i}`,
        ruleId: 'host-alias-conflict',
        message: h.value,
        fixes: [setspnRemove(`HTTP/ok${i}.contoso.test`, fa(a), { note: `only if ${h.value} is unused` })],
      },
      // Two findings wanting the same new SPN on different accounts: a decision with hostile text.
      { ...base, fingerprint: `dA${i}`, ruleId: 'missing-spn', message: h.value, fixes: [setspnAdd(`HTTP/new-${h.value}`, fa(a))] },
      { ...base, fingerprint: `dB${i}`, ruleId: 'missing-spn', message: h.value, fixes: [setspnAdd(`HTTP/new-${h.value}`, fa(spare))] },
    ];
  });
  const snap = snapshot({ accounts: [...accounts, spare] });
  // The real findings stay in the audit (the simulation compares with them) but are not planned.
  const real = runAudit(snap, inv, { now: NOW, generatedAt: NOW });
  const audit = { ...real, findings: [...real.findings, ...findings] };
  const suppressed = new Set(real.findings.map((f) => f.fingerprint));
  const plan = buildPlan({ audit, snapshot: snap, inventory: inv, filters: { only: [], exclude: [], accounts: [], hosts: [], minSeverity: 'info' }, suppressed, now: NOW });

  it('the plan has every kind of block', () => {
    expect(plan.steps.map((s) => s.phase)).toEqual(expect.arrayContaining(['account', 'spn-remove', 'iis']));
    expect(plan.decisions.length).toBe(usable.length);
    expect(plan.review.map((r) => r.kind)).toEqual(expect.arrayContaining(['manual', 'conditional']));
  });

  it.each(['cmd', 'powershell', 'samba'] as Shell[])('%s: every line is inert, ours, or exactly its intended command', (shell) => {
    const out = renderPlanFiles(plan, shell);
    expect(out.files.map((f) => f.name)).toEqual(
      shell === 'powershell'
        ? ['domain-spn-changes.ps1', 'rollback-domain-spn-changes.ps1', 'iis-WEB01.ps1', 'rollback-iis-WEB01.ps1']
        : [`domain-spn-changes.${shell === 'cmd' ? 'cmd' : 'sh'}`, `rollback-domain-spn-changes.${shell === 'cmd' ? 'cmd' : 'sh'}`, 'iis-WEB01.cmd', 'rollback-iis-WEB01.cmd'],
    );
    let live = 0;
    for (const f of out.files) live += checkFile(f);
    // Benign members of the corpus are scripted, not all withheld.
    expect(live).toBeGreaterThan(usable.length);
    expect(out.manualSteps.length).toBeGreaterThan(0);
  });
});
