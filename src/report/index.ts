/** Report rendering: one pure function per format, `(result, opts) => string`. */
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';
import type { RenderOptions, ReportAudit } from './types.js';

export const REPORT_FORMATS = ['table', 'json', 'markdown', 'html', 'csv', 'sarif', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Conventional file extension per format (for `--report f=path` defaults and the demo). */
export const REPORT_EXTENSIONS: Record<ReportFormat, string> = {
  table: 'txt',
  json: 'json',
  markdown: 'md',
  html: 'html',
  csv: 'csv',
  sarif: 'sarif',
  junit: 'xml',
};

const RENDERERS: Record<ReportFormat, (result: ReportAudit, opts: RenderOptions) => string> = {
  table: renderTable,
  json: (result) => renderJson(result),
  markdown: renderMarkdown,
  html: renderHtml,
  csv: renderCsv,
  sarif: renderSarif,
  junit: renderJunit,
};

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

export function renderReport(format: ReportFormat, result: ReportAudit, opts: RenderOptions = {}): string {
  return RENDERERS[format](result, opts);
}

export { renderCsv, renderHtml, renderJson, renderJunit, renderMarkdown, renderSarif, renderTable };
export { compareWithBaseline, hasNewAtOrAbove, parseBaseline, type BaselineDiff } from './baseline.js';
export { applySuppressions, parseSuppressions, type Suppression, type SuppressionOutcome } from './suppress.js';
export type * from './types.js';
