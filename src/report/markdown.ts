/**
 * Markdown for wikis and tickets (CommonMark/GFM). Prose values go through escapeMarkdown, names and
 * commands through markdownCode (a code span whose fence no backtick in the value can close).
 */
import type { Finding } from '../model/finding.js';
import {
  SEVERITIES,
  activeCounts,
  incompleteBanner,
  isSuppressed,
  sortFindings,
  sortVerdicts,
  statusLabel,
  subjectParts,
  summaryLine,
} from './common.js';
import { escapeMarkdown as md, markdownCode as code } from './escape.js';
import type { RenderOptions, ReportAudit } from './types.js';

function subjectCell(f: Finding, inTable = true): string {
  const parts = subjectParts(f.subject);
  return parts.length === 0 ? '*(none)*' : parts.map(([field, value]) => `${field} ${code(value, inTable)}`).join('; ');
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)];
}

function list(values: readonly string[]): string {
  return values.length === 0 ? '*(none)*' : values.map((v) => code(v, true)).join(', ');
}

export function renderMarkdown(result: ReportAudit, _opts: RenderOptions = {}): string {
  const out: string[] = [];
  const findings = sortFindings(result.findings);
  const withStatus = result.baseline !== undefined;
  out.push('# SPN audit report', '');
  if (!result.scope.complete) {
    out.push(`> **${md(incompleteBanner(result))}**`, '');
  }
  out.push(md(summaryLine(result)), '');

  out.push('## Scope', '');
  out.push(
    ...table(
      ['Item', 'Value'],
      [
        ['Domains', list(result.scope.domains)],
        ['Forests', list(result.scope.forests)],
        ['Servers', list(result.scope.servers)],
        ['Collected', result.scope.collectedAt ? md(result.scope.collectedAt) : '*(unknown)*'],
        ['Snapshot', result.scope.snapshotFile ? code(result.scope.snapshotFile, true) : '*(none)*'],
        ['Generated', md(result.generatedAt)],
        ['Tool', `${md(result.tool.name)} ${md(result.tool.version)}`],
        ['Complete', result.scope.complete ? 'yes' : '**NO**'],
      ],
    ),
    '',
  );
  if (result.scope.errors.length > 0) {
    out.push('### Collection errors', '');
    for (const e of result.scope.errors) out.push(`- ${code(e.where)}: ${md(e.message)}${e.code !== undefined ? ` (LDAP code ${e.code})` : ''}`);
    out.push('');
  }

  const counts = activeCounts(result.findings);
  out.push('## Summary', '');
  out.push(...table(['Severity', 'Findings'], SEVERITIES.map((s) => [s, String(counts[s])])), '');

  out.push('## Findings', '');
  if (findings.length === 0) out.push('No findings.', '');
  for (const severity of SEVERITIES) {
    const group = findings.filter((f) => f.severity === severity && !isSuppressed(f));
    if (group.length === 0) continue;
    out.push(`### ${severity} (${group.length})`, '');
    const head = [...(withStatus ? ['Status'] : []), 'Rule', 'Subject', 'Message'];
    out.push(
      ...table(
        head,
        group.map((f) => [...(withStatus ? [f.baseline === 'new' ? '**NEW**' : md(statusLabel(f))] : []), code(f.ruleId, true), subjectCell(f), md(f.message)]),
      ),
      '',
    );
  }

  const suppressed = findings.filter(isSuppressed);
  if (suppressed.length > 0) {
    out.push(`### Suppressed (${suppressed.length}, shown but not counted)`, '');
    out.push(
      ...table(
        ['Severity', 'Rule', 'Subject', 'Reason', 'Expires', 'Entry'],
        suppressed.map((f) => [
          md(f.severity),
          code(f.ruleId, true),
          subjectCell(f),
          md(f.suppression?.reason ?? ''),
          f.suppression?.expires ? md(f.suppression.expires) : 'never',
          code(f.suppression?.source ?? '', true),
        ]),
      ),
      '',
    );
  }

  const withFixes = findings.filter((f) => !isSuppressed(f) && f.fixes.length > 0);
  if (withFixes.length > 0) {
    out.push('## Fixes', '');
    for (const f of withFixes) {
      out.push(`### ${code(f.ruleId)}: ${subjectCell(f, false)}`, '');
      for (const fix of f.fixes) out.push(`- ${code(fix.command)}${fix.note ? ` ${md(`(${fix.note})`)}` : ''}`);
      out.push('');
    }
  }

  if (result.baseline) {
    const b = result.baseline;
    out.push('## Compared with baseline', '');
    out.push(md(`Baseline generated ${b.generatedAt} by version ${b.toolVersion}: ${b.newCount} new, ${b.unchangedCount} unchanged, ${b.resolved.length} resolved, ${b.notChecked.length} not checked.`), '');
    if (b.resolved.length > 0 || b.notChecked.length > 0) {
      out.push(
        ...table(
          ['Status', 'Rule', 'Subject', 'Why'],
          [
            ...b.resolved.map((f) => ['resolved', code(f.ruleId, true), subjectCell(f), md('absent from a complete audit that covered it')]),
            ...b.notChecked.map((n) => ['not checked', code(n.finding.ruleId, true), subjectCell(n.finding), md(n.reason)]),
          ],
        ),
        '',
      );
    }
  }

  if (result.scope.skipped.length > 0) {
    out.push('## Checks not run', '');
    for (const s of result.scope.skipped) out.push(`- ${code(s.ruleId)}: ${md(s.reason)}`);
    out.push('');
  }

  if (result.verdicts.length > 0) {
    out.push('## Kerberos verdict per site and binding', '');
    out.push(
      ...table(
        ['Server', 'Site', 'Application', 'Host', 'Expected SPN', 'Decrypting account', 'Verdict'],
        sortVerdicts(result.verdicts).map((v) => [
          code(v.server, true),
          code(v.site, true),
          code(v.application, true),
          code(v.host, true),
          code(v.expectedSpn, true),
          v.decryptingAccount === null ? '*nobody*' : code(v.decryptingAccount, true),
          md(v.verdict),
        ]),
      ),
      '',
    );
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
