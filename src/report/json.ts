/**
 * JSON: the public report contract (docs/schema/audit-result.schema.json). Keys are written in the
 * contract's order and evidence keys sorted, findings and verdicts in the shared order, so two runs
 * over the same directory produce byte-identical files (diffable, usable as a baseline).
 */
import type { CollectionError } from '../model/directory.js';
import type { Fix, FindingSubject } from '../model/finding.js';
import type { SkippedCheck, Verdict } from '../model/audit.js';
import type { Finding } from '../model/finding.js';
import { sortFindings, sortVerdicts } from './common.js';
import { jsonText } from './escape.js';
import type { BaselineSummary, ReportAudit, ReportFinding, SuppressionMark } from './types.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Known keys first in `order`; keys the contract does not know yet are kept (sorted, at the end)
 * rather than dropped, so the schema test flags the drift instead of data vanishing silently.
 */
function ordered(value: object, order: readonly string[], transform: Record<string, (v: unknown) => Json> = {}): Record<string, Json> {
  const source = value as Record<string, unknown>;
  const out: Record<string, Json> = {};
  const rest = Object.keys(source)
    .filter((k) => !order.includes(k))
    .sort();
  for (const key of [...order, ...rest]) {
    const v = source[key];
    if (v === undefined) continue;
    const fn = transform[key];
    out[key] = fn ? fn(v) : sortedDeep(v);
  }
  return out;
}

/** Free-form values (evidence): object keys sorted at every level. */
function sortedDeep(value: unknown): Json {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortedDeep(v);
    }
    return out;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  return String(value);
}

const SUBJECT_ORDER: ReadonlyArray<keyof FindingSubject> = ['account', 'accountGuid', 'spn', 'host', 'server', 'site', 'appPool', 'domain'];
const FIX_ORDER: ReadonlyArray<keyof Fix> = ['kind', 'command', 'note', 'action'];
const ACTION_ORDER = ['type', 'server', 'location', 'section', 'spn', 'account', 'accountKind', 'domain', 'property', 'value', 'previous'];
const SUPPRESSION_ORDER: ReadonlyArray<keyof SuppressionMark> = ['rule', 'subject', 'reason', 'expires', 'source'];
const FINDING_ORDER: ReadonlyArray<keyof ReportFinding> = [
  'fingerprint',
  'ruleId',
  'severity',
  'title',
  'message',
  'subject',
  'evidence',
  'fixes',
  'location',
  'baseline',
  'suppression',
];
const VERDICT_ORDER: ReadonlyArray<keyof Verdict> = ['server', 'site', 'application', 'host', 'expectedSpn', 'decryptingAccount', 'holders', 'verdict', 'reasons'];
const ERROR_ORDER: ReadonlyArray<keyof CollectionError> = ['where', 'message', 'code'];
const SKIPPED_ORDER: ReadonlyArray<keyof SkippedCheck> = ['ruleId', 'reason'];

function fixJson(fix: unknown): Json {
  return ordered(fix as object, FIX_ORDER, { action: (a) => ordered(a as object, ACTION_ORDER) });
}

function findingJson(finding: ReportFinding | Finding): Json {
  return ordered(finding, FINDING_ORDER, {
    subject: (s) => ordered(s as object, SUBJECT_ORDER),
    fixes: (fixes) => (fixes as unknown[]).map(fixJson),
    location: (l) => ordered(l as object, ['file', 'line']),
    suppression: (s) => ordered(s as object, SUPPRESSION_ORDER),
  });
}

function baselineJson(baseline: BaselineSummary): Json {
  return ordered(baseline, ['generatedAt', 'toolVersion', 'newCount', 'unchangedCount', 'resolved', 'notChecked'], {
    resolved: (list) => sortFindings(list as Finding[]).map(findingJson),
    notChecked: (list) =>
      (list as BaselineSummary['notChecked'])
        .slice()
        .sort((a, b) => (a.finding.fingerprint < b.finding.fingerprint ? -1 : a.finding.fingerprint > b.finding.fingerprint ? 1 : 0))
        .map((n) => ordered(n, ['finding', 'reason'], { finding: (f) => findingJson(f as Finding) })),
  });
}

const sortedStrings = (v: unknown): Json => [...(v as string[])].sort();

/** Plain data in contract order (exported for tests and for the baseline writer). */
export function toReportJson(result: ReportAudit): Json {
  return ordered(
    result,
    ['schemaVersion', 'tool', 'generatedAt', 'scope', 'summary', 'findings', 'verdicts', 'baseline'],
    {
      tool: (t) => ordered(t as object, ['name', 'version']),
      scope: (s) =>
        ordered(s as object, ['domains', 'forests', 'servers', 'collectedAt', 'snapshotFile', 'complete', 'errors', 'skipped'], {
          domains: sortedStrings,
          forests: sortedStrings,
          servers: sortedStrings,
          errors: (list) => (list as CollectionError[]).map((e) => ordered(e, ERROR_ORDER)),
          skipped: (list) =>
            [...(list as SkippedCheck[])].sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)).map((k) => ordered(k, SKIPPED_ORDER)),
        }),
      summary: (s) => ordered(s as object, ['error', 'warning', 'info']),
      findings: (list) => sortFindings(list as ReportFinding[]).map(findingJson),
      verdicts: (list) => sortVerdicts(list as Verdict[]).map((v) => ordered(v, VERDICT_ORDER)),
      baseline: (b) => baselineJson(b as BaselineSummary),
    },
  );
}

export function renderJson(result: ReportAudit): string {
  return jsonText(toReportJson(result));
}
