/**
 * The audit runner: every rule of the catalogue over one snapshot (+ optional IIS inventory), with
 * IIS-dependent rules skipped — and listed as skipped — when there is no IIS input.
 */
import { AUDIT_SCHEMA_VERSION, type AuditResult, type SkippedCheck } from '../model/audit.js';
import type { Snapshot } from '../model/directory.js';
import { SEVERITY_ORDER, type Finding, type FindingSubject, type Severity } from '../model/finding.js';
import type { Inventory } from '../model/iis.js';
import { rules as catalogue } from '../rules/index.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { createRuleContext, forestNames } from './context.js';
import type { AnalyzeOptions, Rule, RuleContext } from './types.js';
import { verdicts } from './verdict.js';

export interface AuditOptions extends Partial<AnalyzeOptions> {
  /** Report time; defaults to the current time (it is output only, never an input to rules). */
  generatedAt?: Date;
  /** The snapshot file the audit read, for the report's scope. */
  snapshotFile?: string | null;
  /** Rules to run instead of the full catalogue (tests, explain). */
  rules?: readonly Rule[];
}

export const NO_IIS_INPUT_REASON = 'needs IIS input (--iis applicationHost.config or an inventory file); none was given';

const SUBJECT_ORDER: ReadonlyArray<keyof FindingSubject> = ['server', 'site', 'host', 'spn', 'account', 'appPool', 'domain', 'accountGuid'];

function subjectSortKey(s: FindingSubject): string {
  return SUBJECT_ORDER.map((k) => (s[k] ?? '').toLowerCase()).join('\u0000');
}

/** Deterministic order: severity (error first), rule id, subject, fingerprint. */
export function compareFindings(a: Finding, b: Finding): number {
  const sev = SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity];
  if (sev !== 0) return sev;
  if (a.ruleId !== b.ruleId) return a.ruleId < b.ruleId ? -1 : 1;
  const sa = subjectSortKey(a.subject);
  const sb = subjectSortKey(b.subject);
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0;
}

/** Runs the applicable rules on a context; a failing rule is a bug and is reported as such, never swallowed. */
export function runRules(ctx: RuleContext, ruleList: readonly Rule[]): { findings: Finding[]; skipped: SkippedCheck[] } {
  const findings: Finding[] = [];
  const skipped: SkippedCheck[] = [];
  for (const rule of ruleList) {
    if (rule.needsInventory && !ctx.inventory) {
      skipped.push({ ruleId: rule.id, reason: NO_IIS_INPUT_REASON });
      continue;
    }
    try {
      findings.push(...rule.check(ctx));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`rule ${rule.id} failed: ${message}`, { cause: err });
    }
  }
  findings.sort(compareFindings);
  return { findings, skipped };
}

export function runAudit(snapshot: Snapshot, inventory: Inventory | null, opts: AuditOptions = {}): AuditResult {
  const { generatedAt, snapshotFile, rules: ruleList, ...analyze } = opts;
  const ctx = createRuleContext(snapshot, inventory, analyze);
  const { findings, skipped } = runRules(ctx, ruleList ?? catalogue);
  const summary: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) summary[f.severity] += 1;
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    generatedAt: (generatedAt ?? new Date()).toISOString(),
    scope: {
      domains: snapshot.domains.map((d) => d.dnsName.toLowerCase()).sort(),
      forests: forestNames(ctx),
      servers: (inventory?.servers ?? []).map((s) => s.name).sort(),
      collectedAt: snapshot.collectedAt || null,
      snapshotFile: snapshotFile ?? null,
      complete: snapshot.complete,
      errors: snapshot.errors,
      skipped,
    },
    summary,
    findings,
    verdicts: verdicts(ctx),
  };
}
