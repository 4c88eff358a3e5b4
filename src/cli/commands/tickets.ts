import { Command, Option } from 'commander';
import type { TicketFlags } from '../../tickets/settings.js';
import { GROUP_BY, PROVIDERS } from '../../tickets/types.js';
import { addInputOptions, type InputCliOptions } from './options.js';

/**
 * `--url` and `--ca-file` name the ticket system here (as in the examples); the LDAP flags of
 * live collection that share those names become `--ldap-url` and `--ldap-ca-file`.
 */
const RENAMED_INPUT_FLAGS: Record<string, string> = { '--url': '--ldap-url', '--ca-file': '--ldap-ca-file', '--timeout': '--ldap-timeout' };

export type TicketsCliOptions = TicketFlags & Omit<InputCliOptions, 'url' | 'caFile' | 'timeout'> & { ldapUrl?: string; ldapCaFile?: string; ldapTimeout?: string };

function addRenamedInputOptions(cmd: Command): Command {
  const probe = addInputOptions(new Command('probe'));
  for (const opt of probe.options) {
    const renamed = opt.long ? RENAMED_INPUT_FLAGS[opt.long] : undefined;
    if (!renamed) {
      cmd.addOption(opt);
      continue;
    }
    const copy = new Option(opt.flags.replace(opt.long ?? '', renamed), `${opt.description} (the LDAP ${opt.long?.slice(2)} flag of collect/audit)`);
    if (opt.defaultValue !== undefined) copy.default(opt.defaultValue);
    cmd.addOption(copy);
  }
  return cmd;
}

export function registerTickets(program: Command): void {
  const tickets = program.command('tickets').description('Open, update and close tickets for findings (the nightly run)');
  const sync = tickets
    .command('sync')
    .description('Sync tonight\'s findings with a ticket system: open new, comment changed, close resolved; never a duplicate')
    .option('--provider <name>', `ticket system: ${PROVIDERS.join(', ')}`)
    .option('--dry-run', 'read the ticket system, print the exact requests that would be sent (credentials redacted), send nothing')
    .option('--max-new <n>', 'create at most N tickets per run (default 50); the rest wait for the next run')
    .option('--group-by <mode>', `one ticket per ${GROUP_BY.join(' | ')} (default finding)`)
    .option('--url <url>', 'ticket system base URL (GitHub: https://api.github.com; webhook: the endpoint)')
    .option('--project <p>', 'Jira project key, GitHub owner/repo, Redmine project identifier, ServiceNow target label')
    .option('--token-env <VAR>', 'read the API token / key / password from this environment variable')
    .option('--token-file <file>', 'read the API token / key / password from this file')
    .option('--user <name>', 'user for basic authentication (Jira Cloud: the account e-mail; ServiceNow: the user name)')
    .option('--auth <scheme>', 'basic | bearer | token (Redmine API key; default per provider)')
    .option('--fingerprint-field <name|id>', 'Redmine: the string issue custom field (used as a filter) that holds the key')
    .option('--ca-file <file>', 'PEM file with the CA(s) of an internal ticket system')
    .option('--state-file <file>', 'local journal of created tickets (default spnaudit-tickets-<provider>.state.json next to --config or in the working directory)')
    .option('--no-state', 'keep no local journal (not for the webhook; Jira Cloud then relies on its search alone)')
    .option('--reopen <policy>', 'a closed ticket whose problem is back: reopen (default) | new (a new ticket naming the old one)')
    .option('--run-label <text>', 'how notes name this run ("resolved as of <run>"; default the audit time)');
  addRenamedInputOptions(sync).action(async (opts: TicketsCliOptions) => {
    const { ticketsSync } = await import('../tickets.js');
    process.exitCode = await ticketsSync(opts);
  });
}
