import { readFile } from 'node:fs/promises';
import { EXIT, UsageError } from '../errors.js';
import type { AuditResult } from '../model/audit.js';
import type { Severity } from '../model/finding.js';
import { compareWithBaseline, hasNewAtOrAbove, isReportFormat, parseBaseline, renderReport, REPORT_FORMATS } from '../report/index.js';
import type { DiffCliOptions } from './commands/diff.js';
import { ruleMetadata } from './audit.js';
import { useColor, writeOutput } from './output.js';

/** `spnaudit diff` (defined in commands/diff.ts, loaded only when it runs). */
export async function diffCommand(oldFile: string, newFile: string, opts: DiffCliOptions): Promise<void> {
  if (!isReportFormat(opts.format)) throw new UsageError(`--format '${opts.format}' is not one of ${REPORT_FORMATS.join(', ')}`);
  if (!['error', 'warning', 'info'].includes(opts.failOn)) throw new UsageError('--fail-on must be one of error, warning, info');
  const before = parseBaseline(await readReport(oldFile), oldFile);
  const after = parseReport(await readReport(newFile), newFile);
  const diff = compareWithBaseline(after, before);
  const color = opts.format === 'table' && !opts.output && useColor(opts.color);
  await writeOutput(opts.output, renderReport(opts.format, diff.result, { rules: ruleMetadata(), color }));
  if (!after.scope.complete) {
    process.stderr.write(`spnaudit: ${newFile} is an INCOMPLETE audit: nothing it lacks can be called resolved (exit 4)\n`);
    process.exitCode = EXIT.INCOMPLETE;
    return;
  }
  process.exitCode = opts.failOnNew && hasNewAtOrAbove(diff, opts.failOn as Severity) ? EXIT.FINDINGS : EXIT.OK;
}

/** The later report is rendered whole, so beyond what a baseline needs it must carry summary and verdicts. */
function parseReport(text: string, file: string): AuditResult {
  const result = parseBaseline(text, file);
  const raw = result as unknown as Record<string, unknown>;
  if (!Array.isArray(raw.verdicts) || typeof raw.summary !== 'object' || raw.summary === null) {
    throw new UsageError(`${file}: not a complete spnaudit JSON report (summary and verdicts are missing)`);
  }
  return result;
}

async function readReport(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
