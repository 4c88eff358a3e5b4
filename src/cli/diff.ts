import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { EXIT, UsageError } from '../errors.js';
import type { AuditResult } from '../model/audit.js';
import type { Severity } from '../model/finding.js';
import { compareWithBaseline, hasNewAtOrAbove, isReportFormat, parseBaseline, renderReport, REPORT_FORMATS } from '../report/index.js';
import { ruleMetadata } from './audit.js';
import { useColor, writeOutput } from './output.js';

interface DiffCliOptions {
  format: string;
  output?: string;
  failOn: string;
  failOnNew?: boolean;
  color?: boolean;
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .argument('<old>', 'an earlier JSON report (spnaudit audit --format json)')
    .argument('<new>', 'a later JSON report')
    .description('Compare two JSON audit reports: which findings are new, unchanged, resolved, or could not be checked')
    .option('--format <format>', `output format: ${REPORT_FORMATS.join(', ')}`, 'table')
    .option('--output <file>', 'write the output to this file instead of stdout')
    .option('--fail-on <severity>', 'with --fail-on-new: the lowest severity that fails (error, warning, info)', 'error')
    .option('--fail-on-new', 'exit 1 when the new report has new findings at or above --fail-on')
    .option('--no-color', 'no ANSI colors in the table')
    .action(async (oldFile: string, newFile: string, opts: DiffCliOptions) => {
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
    });
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
