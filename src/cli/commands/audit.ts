import type { Command } from 'commander';
import { REPORT_FORMATS } from '../../report/index.js';
import { addInputOptions, collectList, type InputCliOptions } from './options.js';

export interface AuditCliOptions extends InputCliOptions {
  format: string;
  output?: string;
  report: string[];
  failOn: string;
  baseline?: string;
  failOnNew?: boolean;
  quiet?: boolean;
  color?: boolean;
  tickets?: boolean;
}

export function registerAudit(program: Command): void {
  const cmd = program
    .command('audit')
    .description('Audit SPNs against the IIS configuration and report every break in the Kerberos chain, with fixes')
    .option('--format <format>', `output format: ${REPORT_FORMATS.join(', ')}`, 'table')
    .option('--output <file>', 'write the --format output to this file instead of stdout')
    .option('--report <format=file>', 'also write a report, e.g. html=out/report.html (repeatable)', collectList, [])
    .option('--fail-on <severity>', 'exit 1 when a finding at or above this severity exists: error, warning, info, never', 'error')
    .option('--baseline <file>', 'a previous JSON report: mark findings new/unchanged and list resolved ones')
    .option('--fail-on-new', 'with --baseline: only NEW findings at or above --fail-on fail the exit code')
    .option('--tickets', 'also sync the findings with the ticket system of the config file\'s tickets: section (see tickets sync)')
    .option('--quiet', 'table: print only the summary line')
    .option('--no-color', 'no ANSI colors in the table');
  addInputOptions(cmd).action(async (opts: AuditCliOptions) => {
    const { audit } = await import('../audit.js');
    process.exitCode = await audit(opts);
  });
}
