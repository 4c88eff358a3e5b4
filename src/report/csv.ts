/**
 * CSV (RFC 4180): one row per finding, so a spreadsheet's row count is the finding count; a
 * finding's fix commands share one cell, one per line. CRLF between records, every cell through
 * csvField (quoting + the formula-injection guard). Suppressed findings are rows too (suppressed=yes,
 * with the reason); with a baseline, the `baseline` column says new/unchanged, and resolved and
 * not-checked baseline findings follow as rows with that status.
 */
import { isSuppressed, sortFindings } from './common.js';
import { csvField } from './escape.js';
import type { RenderOptions, ReportAudit, ReportFinding } from './types.js';

export const CSV_COLUMNS = [
  'baseline',
  'suppressed',
  'severity',
  'rule',
  'title',
  'account',
  'spn',
  'host',
  'server',
  'site',
  'app_pool',
  'domain',
  'message',
  'fix_commands',
  'location',
  'suppression_reason',
  'fingerprint',
] as const;

function cells(f: ReportFinding, baseline: string): string[] {
  const s = f.subject;
  return [
    csvField(baseline),
    csvField(isSuppressed(f) ? 'yes' : ''),
    csvField(f.severity),
    csvField(f.ruleId),
    csvField(f.title),
    csvField(s.account ?? ''),
    csvField(s.spn ?? ''),
    csvField(s.host ?? ''),
    csvField(s.server ?? ''),
    csvField(s.site ?? ''),
    csvField(s.appPool ?? ''),
    csvField(s.domain ?? ''),
    csvField(f.message),
    csvField(f.fixes.map((fix) => fix.command)),
    csvField(f.location ? `${f.location.file}:${f.location.line}` : ''),
    csvField(isSuppressed(f) ? (f.suppression?.reason ?? '') : ''),
    csvField(f.fingerprint),
  ];
}

export function renderCsv(result: ReportAudit, _opts: RenderOptions = {}): string {
  const rows = sortFindings(result.findings).map((f) => cells(f, f.baseline ?? ''));
  // Baseline findings that are gone: rows too, so the sheet is the whole diff.
  for (const f of sortFindings(result.baseline?.resolved ?? [])) rows.push(cells(f, 'resolved'));
  for (const n of result.baseline?.notChecked ?? []) rows.push(cells(n.finding, 'not checked'));
  const records = [CSV_COLUMNS.join(','), ...rows.map((r) => r.join(','))];
  return `${records.join('\r\n')}\r\n`;
}
