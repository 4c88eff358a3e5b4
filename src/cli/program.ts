import { Command } from 'commander';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { registerCollect } from './commands/collect.js';
import { registerIis } from './commands/iis.js';
import { registerAudit } from './commands/audit.js';
import { registerExplain } from './commands/explain.js';
import { registerDiff } from './commands/diff.js';
import { registerPlan } from './commands/plan.js';
import { registerTickets } from './commands/tickets.js';

/**
 * The whole command tree. Each command's flags are defined in commands/<name>.ts; its implementation
 * (<name>.ts, with the analyzer, reports, IIS parser or LDAP client it needs) is imported only when
 * that command runs, so `collect` or `--version` do not load the code of the others.
 */
export function buildProgram(): Command {
  const program = new Command(TOOL_NAME)
    .description('Audit Kerberos Service Principal Names in Active Directory for IIS web servers and farms')
    .version(TOOL_VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCollect(program);
  registerIis(program);
  registerAudit(program);
  registerExplain(program);
  registerDiff(program);
  registerPlan(program);
  registerTickets(program);
  return program;
}
