/**
 * Baselines: compare the current audit with a previous JSON report by fingerprint. A finding the
 * baseline had and the current audit lacks is only "resolved" when the current audit is complete
 * and covered that finding's server/domain and rule; otherwise nobody knows, and it is "not checked".
 */
import { UsageError, oneLine } from '../errors.js';
import type { AuditResult } from '../model/audit.js';
import { AUDIT_SCHEMA_VERSION } from '../model/audit.js';
import { SEVERITY_ORDER, type Finding, type Severity } from '../model/finding.js';
import { isSuppressed, sortFindings } from './common.js';
import type { BaselineSummary, NotCheckedFinding, ReportAudit, ReportFinding } from './types.js';

export interface BaselineDiff {
  /** The current audit with every finding marked new/unchanged and a `baseline` summary: feed it to any renderer. */
  result: ReportAudit;
  new: ReportFinding[];
  unchanged: ReportFinding[];
  resolved: ReportFinding[];
  notChecked: NotCheckedFinding[];
}

const lower = (values: readonly string[]): Set<string> => new Set(values.map((v) => v.toLowerCase()));

/** Why `finding` (absent now) cannot be called resolved, or null when the current audit did look. */
function notCheckedReason(finding: Finding, current: ReportAudit, baseline: AuditResult | ReportAudit): string | null {
  if (!current.scope.complete) return 'the current audit is incomplete (collection errors)';
  const skipped = current.scope.skipped.find((s) => s.ruleId === finding.ruleId);
  if (skipped) return `rule ${finding.ruleId} was not run: ${skipped.reason}`;
  const servers = lower(current.scope.servers);
  const domains = lower(current.scope.domains);
  const { server, domain } = finding.subject;
  if (server !== undefined && !servers.has(server.toLowerCase())) return `server ${server} is not in the current scope`;
  if (domain !== undefined && !domains.has(domain.toLowerCase())) return `domain ${domain} is not in the current scope`;
  if (server === undefined && domain === undefined) {
    // Nothing says where the finding lives: only a scope covering all of the baseline's can vouch for it.
    const missingServer = baseline.scope.servers.find((s) => !servers.has(s.toLowerCase()));
    const missingDomain = baseline.scope.domains.find((d) => !domains.has(d.toLowerCase()));
    if (missingServer !== undefined) return `the finding names no server or domain and server ${missingServer} is not in the current scope`;
    if (missingDomain !== undefined) return `the finding names no server or domain and domain ${missingDomain} is not in the current scope`;
  }
  return null;
}

export function compareWithBaseline(current: ReportAudit, baseline: AuditResult | ReportAudit): BaselineDiff {
  const before = new Set(baseline.findings.map((f) => f.fingerprint));
  const now = new Set(current.findings.map((f) => f.fingerprint));
  const findings: ReportFinding[] = current.findings.map((f) => ({ ...f, baseline: before.has(f.fingerprint) ? 'unchanged' : 'new' }));
  const resolved: ReportFinding[] = [];
  const notChecked: NotCheckedFinding[] = [];
  const seen = new Set<string>();
  for (const old of sortFindings(baseline.findings)) {
    if (now.has(old.fingerprint) || seen.has(old.fingerprint)) continue;
    seen.add(old.fingerprint);
    const reason = notCheckedReason(old, current, baseline);
    if (reason === null) resolved.push(old);
    else notChecked.push({ finding: old, reason });
  }
  const summary: BaselineSummary = {
    generatedAt: baseline.generatedAt,
    toolVersion: baseline.tool.version,
    newCount: findings.filter((f) => f.baseline === 'new').length,
    unchangedCount: findings.filter((f) => f.baseline === 'unchanged').length,
    resolved,
    notChecked,
  };
  return {
    result: { ...current, findings, baseline: summary },
    new: findings.filter((f) => f.baseline === 'new'),
    unchanged: findings.filter((f) => f.baseline === 'unchanged'),
    resolved,
    notChecked,
  };
}

/** For `--fail-on-new`: a new, unsuppressed finding at or above `severity`. */
export function hasNewAtOrAbove(diff: BaselineDiff, severity: Severity): boolean {
  return diff.new.some((f) => !isSuppressed(f) && SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[severity]);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Read a previous `--format json` report. Checks what the comparison relies on (schema version,
 * scope, findings with fingerprints) and names the file and finding index in a one-line error.
 */
export function parseBaseline(text: string, file: string): AuditResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not a JSON report: ${oneLine((err as Error).message)}`);
  }
  if (!isObject(data)) throw new UsageError(`${file}: not a spnaudit JSON report (expected an object)`);
  if (data.schemaVersion !== AUDIT_SCHEMA_VERSION) {
    throw new UsageError(`${file}: report schemaVersion ${oneLine(String(data.schemaVersion))} is not supported (expected ${AUDIT_SCHEMA_VERSION})`);
  }
  const scope = data.scope;
  if (!isObject(scope) || typeof scope.complete !== 'boolean' || !Array.isArray(scope.servers) || !Array.isArray(scope.domains) || !Array.isArray(scope.skipped)) {
    throw new UsageError(`${file}: scope must have complete, servers[], domains[] and skipped[]`);
  }
  // A hand-edited baseline reaches the comparison and every renderer: check each field they read.
  if (!isStrings(scope.servers) || !isStrings(scope.domains)) throw new UsageError(`${file}: scope.servers and scope.domains must be lists of names`);
  if (!scope.skipped.every((s) => isObject(s) && typeof s.ruleId === 'string' && typeof s.reason === 'string')) {
    throw new UsageError(`${file}: scope.skipped entries need a ruleId and a reason`);
  }
  if (!isObject(data.tool) || typeof data.tool.version !== 'string' || typeof data.generatedAt !== 'string') {
    throw new UsageError(`${file}: tool.version and generatedAt are required`);
  }
  if (!Array.isArray(data.findings)) throw new UsageError(`${file}: findings must be a list`);
  data.findings.forEach((f: unknown, i: number) => {
    if (!isObject(f) || typeof f.fingerprint !== 'string' || f.fingerprint === '' || typeof f.ruleId !== 'string' || !isObject(f.subject)) {
      throw new UsageError(`${file}: findings[${i}] needs a fingerprint, ruleId and subject`);
    }
    if (typeof f.severity !== 'string' || !Object.hasOwn(SEVERITY_ORDER, f.severity)) {
      throw new UsageError(`${file}: findings[${i}].severity must be error, warning or info`);
    }
    const bad = badFindingField(f);
    if (bad) throw new UsageError(`${file}: findings[${i}].${bad}`);
  });
  return data as unknown as AuditResult;
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** What is wrong with a baseline finding's renderable fields, or null. */
function badFindingField(f: Record<string, unknown>): string | null {
  if (typeof f.title !== 'string' || typeof f.message !== 'string') return 'title and message must be text';
  if (!Object.values(f.subject as Record<string, unknown>).every((v) => typeof v === 'string')) return 'subject values must be text';
  if (!isObject(f.evidence)) return 'evidence must be an object';
  if (!Array.isArray(f.fixes)) return 'fixes must be a list';
  const fixes: unknown[] = f.fixes;
  const badFix = fixes.findIndex((x) => !isObject(x) || typeof x.kind !== 'string' || typeof x.command !== 'string' || (x.note !== undefined && typeof x.note !== 'string'));
  if (badFix >= 0) return `fixes[${badFix}] needs a kind and a command (text)`;
  if (f.location !== undefined && (!isObject(f.location) || typeof f.location.file !== 'string' || typeof f.location.line !== 'number')) {
    return 'location must have a file and a line';
  }
  return null;
}
