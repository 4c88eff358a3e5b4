import type { Command } from 'commander';
import { REPORT_FORMATS } from '../../report/index.js';

export interface DiffCliOptions {
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
      const { diffCommand } = await import('../diff.js');
      await diffCommand(oldFile, newFile, opts);
    });
}
