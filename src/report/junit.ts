/**
 * JUnit XML (Ant/Surefire style) for CI dashboards: one <testsuite> per rule, one <testcase> per
 * rule × subject. error/warning findings fail (<failure type="error|warning">), suppressed findings
 * are <skipped> with the reason, info findings pass with the details in <system-out>. Rules from the
 * catalogue without findings get one passing "no findings" case; checks that were not run are
 * skipped cases; an incomplete audit adds a failing "collection complete" case.
 */
import type { Finding } from '../model/finding.js';
import { groupBy, ruleIndex, sortFindings, subjectLabel } from './common.js';
import { xmlAttr, xmlText } from './escape.js';
import type { RenderOptions, ReportAudit, ReportFinding } from './types.js';

type Outcome = { kind: 'pass'; out?: string } | { kind: 'failure'; type: string; message: string; body: string } | { kind: 'skipped'; message: string };

interface Case {
  name: string;
  outcome: Outcome;
}

function details(f: Finding): string {
  const lines = [f.message, '', `subject: ${subjectLabel(f.subject)}`, `fingerprint: ${f.fingerprint}`];
  if (f.location) lines.push(`location: ${f.location.file}:${f.location.line}`);
  const evidence = Object.keys(f.evidence);
  if (evidence.length > 0) lines.push(`evidence: ${JSON.stringify(f.evidence)}`);
  for (const fix of f.fixes) lines.push(`fix: ${fix.command}${fix.note ? `  (${fix.note})` : ''}`);
  return lines.join('\n');
}

function findingCase(f: ReportFinding, name: string): Case {
  if (f.suppression) return { name, outcome: { kind: 'skipped', message: `suppressed: ${f.suppression.reason} (${f.suppression.source})` } };
  if (f.severity === 'info') return { name, outcome: { kind: 'pass', out: details(f) } };
  const prefix = f.baseline === 'new' ? 'NEW: ' : '';
  return { name, outcome: { kind: 'failure', type: f.severity, message: `${prefix}${f.title}`, body: details(f) } };
}

function caseXml(classname: string, c: Case): string {
  const open = `    <testcase classname="${xmlAttr(classname)}" name="${xmlAttr(c.name)}" time="0"`;
  const o = c.outcome;
  if (o.kind === 'pass' && o.out === undefined) return `${open}/>`;
  const inner =
    o.kind === 'pass'
      ? `      <system-out>${xmlText(o.out ?? '')}</system-out>`
      : o.kind === 'skipped'
        ? `      <skipped message="${xmlAttr(o.message)}"/>`
        : `      <failure type="${xmlAttr(o.type)}" message="${xmlAttr(o.message)}">${xmlText(o.body)}</failure>`;
  return `${open}>\n${inner}\n    </testcase>`;
}

function suiteXml(name: string, cases: readonly Case[]): string {
  const failures = cases.filter((c) => c.outcome.kind === 'failure').length;
  const skipped = cases.filter((c) => c.outcome.kind === 'skipped').length;
  const classname = `spnaudit.${name}`;
  return [
    `  <testsuite name="${xmlAttr(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0">`,
    ...cases.map((c) => caseXml(classname, c)),
    '  </testsuite>',
  ].join('\n');
}

/** Unique testcase names within a rule: a repeated subject gets its fingerprint appended. */
function uniqueNames(findings: readonly ReportFinding[]): string[] {
  const labels = findings.map((f) => subjectLabel(f.subject));
  const counts = groupBy(labels, (l) => l);
  return findings.map((f, i) => ((counts.get(labels[i] ?? '')?.length ?? 0) > 1 ? `${labels[i]} [${f.fingerprint.slice(0, 12)}]` : (labels[i] ?? '')));
}

export function renderJunit(result: ReportAudit, opts: RenderOptions = {}): string {
  const byRule = groupBy(sortFindings(result.findings), (f) => f.ruleId);
  const skippedRules = new Map(result.scope.skipped.map((s) => [s.ruleId, s.reason]));
  const ruleIds = [...new Set([...byRule.keys(), ...ruleIndex(opts.rules).keys(), ...skippedRules.keys()])].sort();
  const suites: Array<[string, Case[]]> = [];
  if (!result.scope.complete) {
    const body = result.scope.errors.map((e) => `${e.where}: ${e.message}`).join('\n');
    suites.push(['collection', [{ name: 'collection complete', outcome: { kind: 'failure', type: 'incomplete', message: 'INCOMPLETE AUDIT: collection errors', body } }]]);
  }
  for (const id of ruleIds) {
    const findings = byRule.get(id) ?? [];
    const names = uniqueNames(findings);
    const cases: Case[] = findings.map((f, i) => findingCase(f, names[i] ?? ''));
    const skipReason = skippedRules.get(id);
    if (skipReason !== undefined) cases.push({ name: 'check not run', outcome: { kind: 'skipped', message: skipReason } });
    else if (cases.length === 0) cases.push({ name: 'no findings', outcome: { kind: 'pass' } });
    suites.push([id, cases]);
  }
  const all = suites.flatMap(([, cases]) => cases);
  const failures = all.filter((c) => c.outcome.kind === 'failure').length;
  const skipped = all.filter((c) => c.outcome.kind === 'skipped').length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlAttr(result.tool.name)}" tests="${all.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0">`,
    ...suites.map(([name, cases]) => suiteXml(name, cases)),
    '</testsuites>',
    '',
  ].join('\n');
}
