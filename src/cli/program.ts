import { Command } from 'commander';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { registerCollect } from './collect.js';
import { registerIis } from './iis.js';
import { registerAudit } from './audit.js';
import { registerExplain } from './explain.js';
import { registerDiff } from './diff.js';
import { registerPlan } from './plan.js';
import { registerTickets } from './tickets.js';

/** The whole command tree. Each command lives in its own file and sets process.exitCode. */
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
