import type { Command } from 'commander';
import type { Severity } from '../../model/finding.js';
import type { Shell } from '../../remediate/index.js';
import { addInputOptions, type InputCliOptions } from './options.js';

export interface PlanCliOptions extends InputCliOptions {
  shell: string;
  outDir?: string;
  only?: string;
  exclude?: string;
  account: string[];
  host: string[];
  minSeverity: string;
  json?: boolean;
}

export const SHELLS: readonly Shell[] = ['cmd', 'powershell', 'samba'];
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter((v) => v !== '')];
}

export function registerPlan(program: Command): void {
  const cmd = program
    .command('plan')
    .description('Write an ordered, reviewable fix script (and its rollback) for the audit findings')
    .option('--shell <shell>', `script language: ${SHELLS.join(', ')}`, 'cmd')
    .option('--out-dir <dir>', 'write every script (domain, per IIS server, rollbacks) here; without it the domain script goes to stdout')
    .option('--only <ruleIds>', 'only these rules (comma-separated)')
    .option('--exclude <ruleIds>', 'leave these rules out (comma-separated)')
    .option('--account <name>', 'only findings about this account (sAMAccountName or DOMAIN\\name; repeatable)', collect, [])
    .option('--host <name>', 'only findings about this host name or IIS server (repeatable)', collect, [])
    .option('--min-severity <severity>', `lowest severity to plan for: ${SEVERITIES.join(', ')}`, 'warning')
    .option('--json', 'print the plan as JSON (steps, decisions, review, simulation) instead of the summary');
  addInputOptions(cmd).action(async (opts: PlanCliOptions) => {
    const { plan } = await import('../plan.js');
    process.exitCode = await plan(opts);
  });
}
