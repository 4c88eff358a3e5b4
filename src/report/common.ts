/** Ordering, grouping and labels shared by every renderer, so all formats agree on what they show. */
import type { RuleMeta } from '../analyze/types.js';
import type { Verdict } from '../model/audit.js';
import { SEVERITY_ORDER, type FindingSubject, type RuleCategory, type Severity } from '../model/finding.js';
import type { ReportAudit, ReportFinding } from './types.js';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** Subject fields in display order (accountGuid is for fingerprints, not for people). */
const SUBJECT_FIELDS = ['account', 'spn', 'host', 'server', 'site', 'appPool', 'domain'] as const;
export type SubjectField = (typeof SUBJECT_FIELDS)[number];

export function subjectParts(subject: FindingSubject): Array<[SubjectField, string]> {
  const parts: Array<[SubjectField, string]> = [];
  for (const field of SUBJECT_FIELDS) {
    const value = subject[field];
    if (value !== undefined && value !== '') parts.push([field, value]);
  }
  return parts;
}

/** `account CONTOSO\svc_web; spn HTTP/intranet.contoso.test` (raw: escape it for the format). */
export function subjectLabel(subject: FindingSubject): string {
  const parts = subjectParts(subject);
  return parts.length === 0 ? '(no subject)' : parts.map(([field, value]) => `${field} ${value}`).join('; ');
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Severity (error first), then rule id, then subject, then fingerprint: independent of input order. */
export function compareFindings(a: ReportFinding, b: ReportFinding): number {
  return (
    SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(subjectLabel(a.subject), subjectLabel(b.subject)) ||
    compareText(a.fingerprint, b.fingerprint)
  );
}

export function sortFindings<T extends ReportFinding>(findings: readonly T[]): T[] {
  return [...findings].sort(compareFindings);
}

export function sortVerdicts(verdicts: readonly Verdict[]): Verdict[] {
  return [...verdicts].sort(
    (a, b) =>
      compareText(a.server.toLowerCase(), b.server.toLowerCase()) ||
      compareText(a.site, b.site) ||
      compareText(a.application, b.application) ||
      compareText(a.host.toLowerCase(), b.host.toLowerCase()),
  );
}

export function isSuppressed(finding: ReportFinding): boolean {
  return finding.suppression !== undefined;
}

/** Findings that count (not suppressed), by severity. */
export function activeCounts(findings: readonly ReportFinding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) if (!isSuppressed(f)) counts[f.severity] += 1;
  return counts;
}

export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export function ruleIndex(rules: readonly RuleMeta[] | undefined): Map<string, RuleMeta> {
  return new Map((rules ?? []).map((r) => [r.id, r]));
}

export const CATEGORIES: readonly RuleCategory[] = ['kerberos', 'iis', 'account', 'encryption', 'security'];

/** Active findings per rule category; findings whose rule has no metadata count as 'uncategorized'. */
export function activeByCategory(findings: readonly ReportFinding[], rules: Map<string, RuleMeta>): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const f of findings) {
    if (isSuppressed(f)) continue;
    const category = rules.get(f.ruleId)?.category ?? 'uncategorized';
    counts.set(category, (counts.get(category) ?? 0) + 1);
  }
  const order = [...CATEGORIES, 'uncategorized'];
  return order.filter((c) => counts.has(c)).map((c) => [c, counts.get(c) ?? 0]);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The one-line summary every human format starts with, e.g.
 * `spnaudit 0.1.0: 3 errors, 5 warnings, 4 info (2 suppressed; 3 new, 1 resolved since baseline)`.
 * An incomplete audit says so first, because its counts are a lower bound.
 */
export function summaryLine(result: ReportAudit): string {
  const counts = activeCounts(result.findings);
  const suppressed = result.findings.filter(isSuppressed).length;
  const extras: string[] = [];
  if (suppressed > 0) extras.push(`${suppressed} suppressed`);
  if (result.baseline) {
    const newCount = result.findings.filter((f) => f.baseline === 'new' && !isSuppressed(f)).length;
    extras.push(`${newCount} new, ${result.baseline.resolved.length} resolved since baseline`);
    if (result.baseline.notChecked.length > 0) extras.push(`${result.baseline.notChecked.length} not checked`);
  }
  const core = `${result.tool.name} ${result.tool.version}: ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info`;
  const line = extras.length > 0 ? `${core} (${extras.join('; ')})` : core;
  return result.scope.complete ? line : `INCOMPLETE AUDIT: ${line} (collection errors: results are a lower bound)`;
}

/** The banner an incomplete audit puts first in every human format. */
export function incompleteBanner(result: ReportAudit): string {
  const n = result.scope.errors.length;
  return `INCOMPLETE AUDIT: ${plural(n, 'collection error')}; findings may be missing and nothing absent can be called resolved.`;
}

export function statusLabel(finding: ReportFinding): string {
  if (finding.suppression) return 'suppressed';
  return finding.baseline ?? '';
}
