/**
 * Plan → script files for one shell: the domain-wide file, one file per IIS server, and beside each
 * its rollback. Every line is either a command rendered from data by the shell's module, fixed text
 * of ours, or a comment made inert by inertText (values in comments cannot end the comment line).
 */
import type { FixAction } from '../model/finding.js';
import { inertText, quotePowerShell, type CommentStyle } from './quote.js';
import { renderStep, SAMBA_TOOL_FUNCTION, type RenderedCommand, type ScriptShell } from './render.js';
import { renderCmd } from './cmd.js';
import { renderPsCommand } from './powershell.js';
import { renderSh } from './sh.js';
import { describeAction, phaseOf } from './select.js';
import type { Plan, PlanStep, Shell, StepPhase } from './types.js';

export interface PlanFile {
  /** File name inside the output directory. */
  name: string;
  target: 'domain' | 'iis';
  server?: string;
  rollback: boolean;
  shell: ScriptShell;
  content: string;
  /** Every live command line in the file, with the data it was rendered from. */
  commands: RenderedCommand[];
}

export interface ShellOutcome {
  files: PlanFile[];
  /** Findings whose every step is a live command in this shell's files and that wait for no decision. */
  scripted: string[];
  /** Steps this shell could not script (withheld or no equivalent), with the reason. */
  manualSteps: Array<{ step: PlanStep; reason: string }>;
}

const EXT: Record<ScriptShell, string> = { cmd: 'cmd', powershell: 'ps1', sh: 'sh' };
const COMMENT: Record<ScriptShell, CommentStyle> = { cmd: 'cmd', powershell: 'powershell', sh: 'sh' };

const PHASE_TITLE: Record<StepPhase, string> = {
  account: 'Account fixes (before any SPN moves: an SPN on an unusable account helps nobody)',
  'spn-remove': 'SPN removals (an SPN must leave its wrong holder before it can be added elsewhere)',
  'spn-add': 'SPN additions',
  iis: 'IIS configuration changes',
};

const ROLLBACK_PHASE_TITLE: Record<StepPhase, string> = {
  iis: 'Restore the previous IIS values (undone first: they were changed last)',
  'spn-remove': 'Remove the SPNs the plan added (before re-adding anything elsewhere)',
  'spn-add': 'Re-add the SPNs the plan removed',
  account: 'Restore the account settings',
};

/** Safe file-name part for a server name (server names come from config files: untrusted). */
export function fileSafe(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.-]+/, '_');
  return cleaned === '' ? '_' : cleaned.slice(0, 64);
}

class ScriptWriter {
  readonly lines: string[] = [];
  readonly commands: RenderedCommand[] = [];
  constructor(readonly shell: ScriptShell) {}

  comment(text = ''): void {
    const prefix = this.shell === 'cmd' ? 'REM' : '#';
    // A value can never continue a comment onto a new line: inertText escapes line breaks too.
    for (const part of text.split('\n')) this.lines.push(part === '' ? prefix : `${prefix} ${inertText(part, COMMENT[this.shell])}`);
  }

  raw(line: string): void {
    this.lines.push(line);
  }

  command(c: RenderedCommand, checked: boolean): void {
    if (c.shows !== undefined) this.comment(`runs: ${c.shows}`);
    this.commands.push(c);
    this.lines.push(this.shell === 'cmd' && checked ? `${c.line} || goto :failed` : c.line);
  }

  text(): string {
    const body = `${this.lines.join(this.shell === 'cmd' ? '\r\n' : '\n')}${this.shell === 'cmd' ? '\r\n' : '\n'}`;
    // Windows PowerShell 5.1 reads a BOM-less script in the ANSI code page: the BOM keeps values intact.
    return this.shell === 'powershell' ? `\ufeff${body}` : body;
  }
}

function display(plan: Plan): (account: string, domain: string) => string {
  return (account, domain) => `${plan.meta.netbios[domain.toLowerCase()] ?? domain.toUpperCase()}\\${account}`;
}

function header(w: ScriptWriter, plan: Plan, title: string, where: string, rollback: boolean, otherFiles: string[]): void {
  const m = plan.meta;
  w.comment(`spnaudit ${rollback ? 'ROLLBACK ' : ''}plan: ${title}`);
  w.comment(`Run: ${where}`);
  w.comment();
  w.comment(`Audited domains: ${m.domains.join(', ') || '(none)'}`);
  w.comment(`IIS servers: ${m.servers.join(', ') || '(no IIS input)'}`);
  w.comment(`Directory snapshot collected at: ${m.collectedAt ?? 'unknown'}${m.snapshotFile ? ` (${m.snapshotFile})` : ' (live)'}`);
  w.comment(`Plan generated at: ${m.generatedAt} by spnaudit ${m.toolVersion}`);
  const f = m.filters;
  w.comment(
    `Filters: min severity ${f.minSeverity}${f.only.length ? `; only ${f.only.join(',')}` : ''}${f.exclude.length ? `; exclude ${f.exclude.join(',')}` : ''}${
      f.accounts.length ? `; accounts ${f.accounts.join(',')}` : ''
    }${f.hosts.length ? `; hosts ${f.hosts.join(',')}` : ''}`,
  );
  if (otherFiles.length > 0) w.comment(`Other files of this plan: ${otherFiles.join(', ')}`);
  w.comment();
  w.comment('REVIEW EVERY LINE BEFORE RUNNING IT, in a change window.');
  if (w.shell === 'powershell') w.comment('Dry run first: run this script with -WhatIf (every cmdlet reports what it would change).');
  else if (w.shell === 'sh') w.comment('Dry run first: SPNAUDIT_DRY_RUN=1 sh <this file> prints every samba-tool command instead of running it.');
  else w.comment('cmd has no dry run: review the lines, or generate the plan with --shell powershell and run that with -WhatIf first.');
  w.comment('The script stops at the first failing command; later steps are not run.');
  if (!rollback) {
    const sim = plan.simulation;
    w.comment(`Simulated on the snapshot: 0 duplicate-spn and 0 missing-spn on the ${sim.touchedSpns.length} SPN(s) it touches; ${sim.resolved.length} finding(s) resolved.`);
    if (sim.introduced.length > 0) {
      w.comment(`After the whole plan (all files), the audit would ALSO report ${sim.introduced.length} finding(s) it does not report today:`);
      for (const i of sim.introduced.slice(0, 20)) w.comment(`  ${i.ruleId} ${i.fingerprint}: ${i.message}`);
      if (sim.introduced.length > 20) w.comment(`  ... and ${sim.introduced.length - 20} more`);
    }
  }
  w.comment();
}

function preamble(w: ScriptWriter, target: 'domain' | 'iis'): void {
  if (w.shell === 'cmd') {
    w.raw('@echo off');
    // Without delayed expansion a ! in a value stays a !; the script never relies on it.
    w.raw('setlocal EnableExtensions DisableDelayedExpansion');
  } else if (w.shell === 'powershell') {
    w.raw(target === 'domain' ? '#Requires -Modules ActiveDirectory' : '#Requires -Modules WebAdministration');
    w.raw('[CmdletBinding(SupportsShouldProcess = $true)]');
    w.raw('param()');
    w.raw("$ErrorActionPreference = 'Stop'");
  } else {
    w.raw('#!/bin/sh');
    w.raw('set -eu');
    w.comment('Connection: SPNAUDIT_SAMBA_URL (e.g. ldap://dc1.contoso.test) and SPNAUDIT_SAMBA_USER (e.g. Administrator@CONTOSO.TEST).');
    w.comment("The password is read by samba-tool itself: from the file named in PASSWD_FILE, or it prompts. It is never in this file.");
    w.raw(': "${SPNAUDIT_SAMBA_URL:?set SPNAUDIT_SAMBA_URL to the domain controller, e.g. ldap://dc1.contoso.test}"');
    w.raw(': "${SPNAUDIT_SAMBA_USER:?set SPNAUDIT_SAMBA_USER, e.g. Administrator@CONTOSO.TEST}"');
    w.raw(`${SAMBA_TOOL_FUNCTION}() {`);
    w.raw('  if [ "${SPNAUDIT_DRY_RUN:-}" = 1 ]; then');
    w.raw("    printf 'would run: samba-tool'; printf ' [%s]' \"$@\"; printf '\\n'");
    w.raw('  else');
    w.raw('    samba-tool "$@" -H "$SPNAUDIT_SAMBA_URL" -U "$SPNAUDIT_SAMBA_USER"');
    w.raw('  fi');
    w.raw('}');
  }
  w.raw('');
}

function footer(w: ScriptWriter): void {
  if (w.shell === 'cmd') {
    w.raw('echo spnaudit plan: all steps done.');
    w.raw('exit /b 0');
    w.raw(':failed');
    w.raw('echo spnaudit plan: FAILED at the command above; later steps were not run. 1>&2');
    w.raw('exit /b 1');
  } else if (w.shell === 'powershell') {
    w.raw("Write-Host 'spnaudit plan: all steps done.'");
  } else {
    w.raw("echo 'spnaudit plan: all steps done.'");
  }
}

function stepBlock(w: ScriptWriter, plan: Plan, step: PlanStep, n: number, outcome: ShellOutcome): void {
  w.comment(`[${n}] ${describeAction(step.action, display(plan))}`);
  w.comment(`    fixes: ${step.findings.map((fp) => `${ruleOf(plan, fp)} ${fp}`).join(', ')}`);
  for (const note of step.notes) w.comment(`    note: ${note}`);
  const rendered = renderStep(step, w.shell, plan.meta);
  if ('manual' in rendered) {
    w.comment(`    NOT SCRIPTED - ${rendered.manual}`);
    outcome.manualSteps.push({ step, reason: rendered.manual });
  } else {
    for (const c of rendered.commands) w.command(c, true);
  }
  w.raw('');
}

function ruleOf(plan: Plan, fingerprint: string): string {
  return plan.findings.find((f) => f.fingerprint === fingerprint)?.ruleId ?? '?';
}

/** A change shown commented out (decisions and conditional fixes): rendered for this shell when possible. */
function commentedAction(w: ScriptWriter, plan: Plan, action: FixAction, indent: string): void {
  const step: PlanStep = { key: '', phase: phaseOf(action), action, findings: [], ruleIds: [], notes: [], forestWide: false };
  const rendered = renderStep(step, w.shell, plan.meta);
  if ('manual' in rendered) {
    w.comment(`${indent}${describeAction(action, display(plan))} (${rendered.manual})`);
    return;
  }
  w.comment(`${indent}${describeAction(action, display(plan))}:`);
  for (const c of rendered.commands) w.comment(`${indent}  ${c.shows ?? c.line}`);
}

function decisionsBlock(w: ScriptWriter, plan: Plan): void {
  if (plan.decisions.length === 0) return;
  w.comment('==== DECISIONS: nothing below runs; choose an option, apply it by hand or re-run the plan after the change ====');
  plan.decisions.forEach((d, i) => {
    w.comment(`DECISION ${i + 1}: ${d.title}`);
    w.comment(`  why: ${d.why}`);
    w.comment(`  findings: ${d.findings.join(', ')}`);
    d.options.forEach((o, j) => {
      w.comment(`  OPTION ${String.fromCharCode(65 + (j % 26))}: ${o.label}`);
      for (const a of o.actions) commentedAction(w, plan, a, '    ');
      for (const t of o.texts) w.comment(`    ${t}`);
    });
  });
  w.comment();
}

function reviewBlock(w: ScriptWriter, plan: Plan, servers: string[] | null): void {
  const items = plan.review.filter((r) => {
    const server = r.action?.type === 'iis-set' ? r.action.server.toLowerCase() : null;
    return servers === null ? server === null : server !== null && servers.includes(server);
  });
  if (items.length === 0) return;
  w.comment('==== FOR REVIEW: conditional, manual and held-back fixes; nothing below runs ====');
  for (const r of items) {
    w.comment(`[${r.ruleId} ${r.finding}] ${r.kind.toUpperCase()}${r.note ? ` (${r.note})` : ''}`);
    if (r.kind === 'held-back') w.comment(`    ${r.text}`);
    if (r.action && (r.kind === 'conditional' || r.kind === 'held-back')) commentedAction(w, plan, r.action, '    ');
    else if (r.kind !== 'held-back') w.comment(`    ${r.text}`);
  }
  w.comment();
}

function verification(w: ScriptWriter, plan: Plan): void {
  w.comment('==== VERIFICATION ====');
  w.comment('Wait until AD replication has reached every DC (repadmin /syncall, or the replication interval) before testing.');
  w.comment('On test clients run klist purge: cached service tickets keep failing with KRB_AP_ERR_MODIFIED for up to 10 hours.');
  const spnsByKey = new Map<string, string>();
  for (const s of plan.steps) if (s.action.type === 'spn-add' || s.action.type === 'spn-remove') spnsByKey.set(s.action.spn.toLowerCase(), s.action.spn);
  const spns = [...spnsByKey.values()].sort();
  if (w.shell === 'sh') {
    const accounts = [...new Set(plan.steps.flatMap((s) => (s.action.type === 'spn-add' || s.action.type === 'spn-remove' ? [s.action.account] : [])))].sort();
    for (const a of accounts) {
      const line = renderSh([{ lit: SAMBA_TOOL_FUNCTION }, { lit: 'spn' }, { lit: 'list' }, { value: a }]);
      if (line) w.command({ line, data: { shell: 'sh', argv: [{ lit: SAMBA_TOOL_FUNCTION }, { lit: 'spn' }, { lit: 'list' }, { value: a }] } }, false);
      else w.comment(`spn list withheld for ${a}`);
    }
    w.comment('From a Windows admin workstation, for every touched SPN: setspn -F -Q <spn>; once: setspn -X -F. Or re-run spnaudit audit.');
    for (const spn of spns) w.comment(`  setspn -F -Q ${spn}`);
    w.raw('');
    return;
  }
  for (const spn of spns) {
    if (w.shell === 'cmd') {
      const cmd = { program: 'setspn', args: [{ lit: '-F' }, { lit: '-Q' }, { value: spn }] };
      const line = renderCmd(cmd);
      if (line) w.command({ line, data: { shell: 'cmd', cmd } }, false);
      else w.comment(`setspn -F -Q withheld for ${spn}`);
    } else {
      // Windows PowerShell passes native arguments with spaces, quotes or trailing backslashes unreliably.
      const cmd = { name: 'setspn', params: [{ name: 'F' }, { name: 'Q' }], args: [{ t: 'str' as const, v: spn }] };
      const line = /^[^\s"\\]+$/.test(spn) && quotePowerShell(spn) !== null ? renderPsCommand(cmd) : null;
      if (line) w.command({ line, data: { shell: 'powershell', cmd } }, false);
      else w.comment(`setspn -F -Q withheld for ${spn}`);
    }
  }
  w.raw(w.shell === 'cmd' ? 'setspn -X -F' : 'setspn -X -F');
  w.raw('');
}

function recycleHints(w: ScriptWriter, plan: Plan, server: string, steps: PlanStep[]): void {
  const pools = new Set<string>();
  for (const s of steps) {
    if (s.action.type !== 'iis-set') continue;
    const byLoc = plan.meta.pools[server.toLowerCase()] ?? {};
    const loc = s.action.location.toLowerCase();
    for (const [l, names] of Object.entries(byLoc)) if (loc === '' || l === loc || l.startsWith(`${loc}/`)) names.forEach((n) => pools.add(n));
  }
  w.comment('Afterwards: recycle the application pools of the changed sites (kernel-mode authentication settings apply to new worker processes),');
  w.comment(`or run iisreset in the change window. Pools: ${[...pools].sort().join(', ') || '(not known from the inventory)'}`);
  for (const p of [...pools].sort()) w.comment(`  appcmd recycle apppool /apppool.name:${p}`);
  w.raw('');
}

function phaseSections(w: ScriptWriter, plan: Plan, steps: PlanStep[], rollback: boolean, outcome: ShellOutcome): void {
  let n = 0;
  let phase: StepPhase | null = null;
  for (const step of steps) {
    if (step.phase !== phase) {
      phase = step.phase;
      w.comment(`==== ${rollback ? ROLLBACK_PHASE_TITLE[phase] : PHASE_TITLE[phase]} ====`);
    }
    stepBlock(w, plan, step, ++n, outcome);
  }
  if (steps.length === 0) {
    w.comment('No change to make here.');
    w.raw('');
  }
}

function manualUndoBlock(w: ScriptWriter, plan: Plan, server: string | null): void {
  const items = plan.manualUndo.filter((u) => (u.step.action.type === 'iis-set' ? u.step.action.server.toLowerCase() === server : server === null));
  if (items.length === 0) return;
  w.comment('==== NOT UNDONE BY THIS SCRIPT ====');
  for (const u of items) w.comment(`${describeAction(u.step.action, display(plan))}: ${u.reason}`);
  w.comment();
}

export function renderPlanFiles(plan: Plan, shell: Shell): ShellOutcome {
  const domainShell: ScriptShell = shell === 'samba' ? 'sh' : shell;
  // samba-tool cannot touch IIS: the per-server files are cmd (appcmd) for a Samba domain.
  const iisShell: ScriptShell = shell === 'powershell' ? 'powershell' : 'cmd';
  const outcome: ShellOutcome = { files: [], scripted: [], manualSteps: [] };

  const domainSteps = plan.steps.filter((s) => s.phase !== 'iis');
  const iisServers = [...new Set(plan.steps.filter((s) => s.action.type === 'iis-set').map((s) => (s.action as Extract<FixAction, { type: 'iis-set' }>).server))].sort();
  const serverFile = new Map<string, string>();
  for (const server of iisServers) {
    let name = `iis-${fileSafe(server)}`;
    while ([...serverFile.values()].includes(name)) name += '_';
    serverFile.set(server, name);
  }
  const domainName = 'domain-spn-changes';
  const allNames = [domainName, ...serverFile.values()];
  const namesWith = (ext: (n: string) => string): string[] => allNames.flatMap((n) => [ext(n), `rollback-${ext(n)}`]);
  const fileName = (base: string): string => `${base}.${EXT[base === domainName ? domainShell : iisShell]}`;
  const others = (self: string): string[] => namesWith(fileName).filter((n) => n !== self);

  const build = (base: string, target: 'domain' | 'iis', server: string | null, rollback: boolean): void => {
    const wshell = target === 'domain' ? domainShell : iisShell;
    const w = new ScriptWriter(wshell);
    const name = `${rollback ? 'rollback-' : ''}${fileName(base)}`;
    const source = rollback ? plan.rollback : plan.steps;
    const steps = source.filter((s) => (target === 'domain' ? s.phase !== 'iis' : s.action.type === 'iis-set' && s.action.server === server));
    const where =
      target === 'domain'
        ? wshell === 'sh'
          ? 'sh on a machine with samba-tool that reaches a domain controller (Samba AD)'
          : `${wshell === 'cmd' ? 'cmd.exe' : 'Windows PowerShell'} as a Domain Admin (or delegated SPN writer) with the RSAT AD tools`
        : `on ${server} as a local administrator, ${wshell === 'cmd' ? 'cmd.exe' : 'elevated Windows PowerShell'}${shell === 'samba' ? ' (samba-tool cannot change IIS)' : ''}`;
    header(w, plan, target === 'domain' ? 'domain-wide SPN and account changes' : `IIS changes on ${server}`, where, rollback, others(name));
    preamble(w, target);
    if (wshell === 'powershell' && target === 'iis') w.raw('Import-Module WebAdministration');
    phaseSections(w, plan, steps, rollback, outcome);
    if (target === 'iis' && steps.length > 0 && server) recycleHints(w, plan, server, steps);
    if (rollback) manualUndoBlock(w, plan, server?.toLowerCase() ?? null);
    if (!rollback) {
      if (target === 'domain') decisionsBlock(w, plan);
      reviewBlock(w, plan, target === 'domain' ? null : server ? [server.toLowerCase()] : []);
    }
    if (target === 'domain' && steps.length > 0) verification(w, { ...plan, steps });
    footer(w);
    outcome.files.push({ name, target, ...(server ? { server } : {}), rollback, shell: wshell, content: w.text(), commands: w.commands });
  };

  build(domainName, 'domain', null, false);
  build(domainName, 'domain', null, true);
  for (const [server, base] of serverFile) {
    build(base, 'iis', server, false);
    build(base, 'iis', server, true);
  }
  // Steps can appear twice in manualSteps (forward and rollback); only forward ones decide "scripted".
  const forwardManual = new Set(outcome.manualSteps.map((m) => m.step).filter((s) => plan.steps.includes(s)));
  const inDecision = new Set(plan.decisions.flatMap((d) => d.findings));
  for (const f of plan.findings) {
    const steps = plan.steps.filter((s) => s.findings.includes(f.fingerprint));
    if (steps.length > 0 && !inDecision.has(f.fingerprint) && steps.every((s) => !forwardManual.has(s))) outcome.scripted.push(f.fingerprint);
  }
  outcome.manualSteps = outcome.manualSteps.filter((m) => plan.steps.includes(m.step));
  return outcome;
}
