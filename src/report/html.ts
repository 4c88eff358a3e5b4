/**
 * The HTML report: one self-contained file an auditor can file or email. Inline CSS, no scripts, no
 * external resources; a strict CSP meta tag means even an escaping mistake could not run script or
 * fetch anything. Every value goes through escapeHtml (text and attributes alike).
 */
import type { Finding, Severity } from '../model/finding.js';
import type { RuleMeta } from '../analyze/types.js';
import {
  SEVERITIES,
  activeByCategory,
  activeCounts,
  groupBy,
  incompleteBanner,
  isSuppressed,
  ruleIndex,
  sortFindings,
  sortVerdicts,
  subjectParts,
  summaryLine,
} from './common.js';
import { escapeHtml as h } from './escape.js';
import type { RenderOptions, ReportAudit, ReportFinding } from './types.js';

export const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const SEVERITY_FILL: Record<Severity, string> = { error: '#c62828', warning: '#b26a00', info: '#1565c0' };

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b; margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 19px; border-bottom: 2px solid #ddd; padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 16px; margin: 20px 0 8px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: #f3f3f3; }
code, pre { font: 12.5px/1.4 ui-monospace, "Cascadia Mono", Consolas, monospace; }
pre { background: #f6f8fa; border: 1px solid #ddd; padding: 6px 8px; white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0; }
.text { white-space: pre-wrap; }
.incomplete { background: #c62828; color: #fff; font-weight: bold; font-size: 16px; padding: 10px 14px; border-radius: 4px; margin: 8px 0; }
.complete { color: #2e7d32; font-weight: bold; }
.no { color: #c62828; }
.summary-line { font-weight: bold; }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; color: #fff; font-size: 12px; font-weight: bold; text-transform: uppercase; }
.badge.error { background: ${SEVERITY_FILL.error}; } .badge.warning { background: ${SEVERITY_FILL.warning}; } .badge.info { background: ${SEVERITY_FILL.info}; }
.badge.new { background: #6a1b9a; } .badge.suppressed { background: #757575; }
.finding { border: 1px solid #ddd; border-left: 6px solid #999; border-radius: 4px; padding: 8px 12px; margin: 10px 0; }
.finding.error { border-left-color: ${SEVERITY_FILL.error}; } .finding.warning { border-left-color: ${SEVERITY_FILL.warning}; } .finding.info { border-left-color: ${SEVERITY_FILL.info}; }
.finding.suppressed { opacity: 0.75; border-left-color: #757575; }
.finding table { width: auto; min-width: 50%; }
.meta { color: #555; font-size: 12.5px; }
.chart { margin: 8px 0; }
.verdict-kerberos-ok { color: #2e7d32; font-weight: bold; } .verdict-failure-401 { color: #c62828; font-weight: bold; }
.verdict-ntlm-fallback { color: #b26a00; font-weight: bold; } .verdict-kerberos-not-tried { color: #555; font-weight: bold; }
footer { margin-top: 40px; color: #666; font-size: 12px; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .finding, tr, pre { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  h2 { break-before: auto; }
}
`;

function barChart(title: string, rows: ReadonlyArray<{ label: string; count: number; fill: string }>): string {
  const max = Math.max(1, ...rows.map((r) => r.count));
  const barHeight = 20;
  const gap = 6;
  const labelWidth = 110;
  const barMax = 260;
  const height = rows.length * (barHeight + gap) + gap;
  const bars = rows.map((r, i) => {
    const y = gap + i * (barHeight + gap);
    const w = Math.round((r.count / max) * barMax);
    return [
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" font-size="13" fill="#1b1b1b">${h(r.label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${w}" height="${barHeight}" fill="${h(r.fill)}"/>`,
      `<text x="${labelWidth + w + 6}" y="${y + 15}" font-size="13" fill="#1b1b1b">${r.count}</text>`,
    ].join('');
  });
  const width = labelWidth + barMax + 50;
  return `<svg class="chart" role="img" aria-label="${h(title)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${h(title)}</title>${bars.join('')}</svg>`;
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>, cls = ''): string {
  const thead = `<tr>${head.map((c) => `<th>${h(c)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${cls ? ` class="${h(cls)}"` : ''}>\n<thead>${thead}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

const code = (v: string): string => `<code>${h(v)}</code>`;

/**
 * An identifier in a many-column table: break opportunities (<wbr>, invisible when copied) after
 * / \ . : @, so long SPNs and host names wrap at their separators instead of widening the table
 * past the page (a 9-column verdict table of FQDNs is wider than the page otherwise).
 */
const wrapCode = (v: string): string => `<code>${v.split(/(?<=[/\\.:@])/).map((part) => h(part)).join('<wbr>')}</code>`;
const list = (values: readonly string[]): string => (values.length === 0 ? '<em>none</em>' : values.map(code).join(', '));

function evidenceValue(v: unknown): string {
  if (typeof v === 'string') return `<span class="text">${h(v, true)}</span>`;
  return code(JSON.stringify(v) ?? String(v));
}

function findingHtml(f: ReportFinding): string {
  const classes = ['finding', f.severity, ...(isSuppressed(f) ? ['suppressed'] : [])].join(' ');
  const badges = [
    `<span class="badge ${h(f.severity)}">${h(f.severity)}</span>`,
    ...(f.baseline === 'new' ? ['<span class="badge new">new</span>'] : []),
    ...(isSuppressed(f) ? ['<span class="badge suppressed">suppressed</span>'] : []),
  ].join(' ');
  const parts: string[] = [`<article class="${classes}" id="f-${h(f.fingerprint)}">`];
  parts.push(`<p>${badges} <span class="text">${h(f.message, true)}</span></p>`);
  if (f.suppression) {
    const s = f.suppression;
    parts.push(`<p class="meta">Suppressed: ${h(s.reason)} (entry ${code(s.source)}, rule ${code(s.rule)}, subject ${code(s.subject)}${s.expires ? `, expires ${h(s.expires)}` : ''})</p>`);
  }
  const subject = subjectParts(f.subject);
  if (subject.length > 0) parts.push(table(['Affected', 'Value'], subject.map(([field, value]) => [h(field), code(value)])));
  const evidence = Object.keys(f.evidence).sort();
  if (evidence.length > 0) parts.push(table(['Evidence', 'Value'], evidence.map((k) => [h(k), evidenceValue(f.evidence[k])])));
  if (f.location) parts.push(`<p class="meta">Configured at ${code(`${f.location.file}:${f.location.line}`)}</p>`);
  if (f.fixes.length > 0) {
    parts.push('<p><strong>Fix</strong></p>');
    for (const fix of f.fixes) {
      parts.push(`<pre><code>${h(fix.command)}</code></pre>`);
      if (fix.note) parts.push(`<p class="meta">${h(fix.note)}</p>`);
    }
  }
  parts.push(`<p class="meta">Fingerprint ${code(f.fingerprint)}</p>`, '</article>');
  return parts.join('\n');
}

function ruleSection(ruleId: string, findings: readonly ReportFinding[], meta: RuleMeta | undefined): string {
  const first = findings[0];
  const title = meta?.title ?? first?.title ?? ruleId;
  const active = findings.filter((f) => !isSuppressed(f)).length;
  const out = [`<section class="rule" id="rule-${h(ruleId)}">`, `<h3>${h(title)} <span class="meta">${code(ruleId)} · ${active} active, ${findings.length - active} suppressed</span></h3>`];
  if (meta) out.push(`<p class="meta">${h(meta.why)}</p>`);
  out.push(...findings.map(findingHtml), '</section>');
  return out.join('\n');
}

function subjectText(f: Finding): string {
  const parts = subjectParts(f.subject);
  return parts.length === 0 ? '<em>none</em>' : parts.map(([field, value]) => `${h(field)} ${code(value)}`).join('<br>');
}

export function renderHtml(result: ReportAudit, opts: RenderOptions = {}): string {
  const rules = ruleIndex(opts.rules);
  const findings = sortFindings(result.findings);
  const counts = activeCounts(result.findings);
  const activeTotal = counts.error + counts.warning + counts.info;
  const scope = result.scope;
  const body: string[] = [];

  body.push('<header>', '<h1>SPN audit report</h1>');
  if (!scope.complete) body.push(`<div class="incomplete" role="alert">${h(incompleteBanner(result))}</div>`);
  body.push(`<p class="summary-line">${h(summaryLine(result))}</p>`);
  body.push(
    table(
      ['Scope', 'Value'],
      [
        ['Domains', list(scope.domains)],
        ['Forests', list(scope.forests)],
        ['Servers', list(scope.servers)],
        ['Collected', scope.collectedAt ? h(scope.collectedAt) : '<em>unknown</em>'],
        ['Snapshot', scope.snapshotFile ? code(scope.snapshotFile) : '<em>none</em>'],
        ['Tool', `${h(result.tool.name)} ${h(result.tool.version)}`],
        ['Complete', scope.complete ? '<span class="complete">yes</span>' : '<strong class="no">NO: collection errors, see below</strong>'],
      ].map(([k, v]) => [h(k ?? ''), v ?? '']),
      'scope',
    ),
  );
  if (scope.errors.length > 0) {
    body.push('<h3>Collection errors</h3>', table(['Where', 'Error', 'LDAP code'], scope.errors.map((e) => [code(e.where), h(e.message), e.code === undefined ? '' : h(String(e.code))])));
  }
  body.push('</header>');

  body.push('<section id="summary">', '<h2>Summary</h2>');
  body.push(`<p>Active findings: <strong id="findings-total" data-count="${activeTotal}">${activeTotal}</strong>${findings.length > activeTotal ? `; suppressed: ${findings.length - activeTotal}` : ''}</p>`);
  body.push(barChart('Active findings by severity', SEVERITIES.map((s) => ({ label: s, count: counts[s], fill: SEVERITY_FILL[s] }))));
  const categories = activeByCategory(result.findings, rules);
  if (categories.length > 0) body.push(table(['Category', 'Active findings'], categories.map(([c, n]) => [h(c), h(String(n))])));
  body.push('</section>');

  body.push('<section id="findings">', `<h2>Findings by rule</h2>`);
  if (findings.length === 0) body.push('<p>No findings.</p>');
  for (const [ruleId, group] of groupBy(findings, (f) => f.ruleId)) body.push(ruleSection(ruleId, group, rules.get(ruleId)));
  body.push('</section>');

  if (result.baseline) {
    const b = result.baseline;
    body.push('<section id="baseline">', '<h2>Compared with baseline</h2>');
    body.push(`<p>Baseline generated ${h(b.generatedAt)} by version ${h(b.toolVersion)}: ${b.newCount} new, ${b.unchangedCount} unchanged, ${b.resolved.length} resolved, ${b.notChecked.length} not checked.</p>`);
    const rows = [
      ...b.resolved.map((f) => ['resolved', code(f.ruleId), subjectText(f), h('absent from a complete audit that covered it')]),
      ...b.notChecked.map((n) => ['not checked', code(n.finding.ruleId), subjectText(n.finding), h(n.reason)]),
    ];
    if (rows.length > 0) body.push(table(['Status', 'Rule', 'Subject', 'Why'], rows));
    body.push('</section>');
  }

  body.push('<section id="appendix">', '<h2>Appendix</h2>');
  if (opts.spnHolders && opts.spnHolders.length > 0) {
    const holders = [...opts.spnHolders].sort((a, b) => (a.account.toLowerCase() < b.account.toLowerCase() ? -1 : a.account.toLowerCase() > b.account.toLowerCase() ? 1 : 0));
    body.push(
      '<h3>SPN holders</h3>',
      table(
        ['Account', 'Kind', 'Enabled', 'SPNs'],
        holders.map((a) => [code(a.account), h(a.kind ?? ''), a.enabled === undefined ? '' : a.enabled ? 'yes' : 'no', a.spns.map(code).join('<br>')]),
      ),
    );
  }
  if (result.verdicts.length > 0) {
    body.push(
      '<h3>Kerberos verdict per site and binding</h3>',
      table(
        ['Server', 'Site', 'Application', 'Host', 'Expected SPN', 'Decrypting account', 'Holders', 'Verdict', 'Why'],
        sortVerdicts(result.verdicts).map((v) => [
          wrapCode(v.server),
          wrapCode(v.site),
          wrapCode(v.application),
          wrapCode(v.host),
          wrapCode(v.expectedSpn),
          v.decryptingAccount === null ? '<em>nobody</em>' : wrapCode(v.decryptingAccount),
          v.holders.length === 0 ? '<em>nobody</em>' : v.holders.map(wrapCode).join('<br>'),
          `<span class="verdict-${h(v.verdict)}">${h(v.verdict)}</span>`,
          `<ol>${v.reasons.map((r) => `<li>${h(r)}</li>`).join('')}</ol>`,
        ]),
      ),
    );
  }
  if (scope.skipped.length > 0) {
    body.push('<h3>Checks not run</h3>', table(['Rule', 'Why'], scope.skipped.map((s) => [code(s.ruleId), h(s.reason)])));
  }
  if (rules.size > 0) {
    const metas = [...rules.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    body.push(
      '<h3>Rule reference</h3>',
      table(
        ['Rule', 'Severity', 'Category', 'Title', 'Why', 'Docs'],
        metas.map((m) => [code(m.id), `<span class="badge ${h(m.severity)}">${h(m.severity)}</span>`, h(m.category), h(m.title), h(m.why), code(m.docs)]),
      ),
    );
  }
  body.push('</section>');
  body.push(`<footer>Generated ${h(result.generatedAt)} by ${h(result.tool.name)} ${h(result.tool.version)}.</footer>`);

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>SPN audit report: ${h(scope.domains.join(', ') || 'no domain')}${scope.complete ? '' : ' (INCOMPLETE)'}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
