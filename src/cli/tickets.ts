import { loadConfigFile } from '../config/file.js';
import { EXIT } from '../errors.js';
import { resolveTicketSettings } from '../tickets/settings.js';
import { runTicketSync } from '../tickets/run.js';
import type { TicketsCliOptions } from './commands/tickets.js';
import type { InputCliOptions } from './commands/options.js';
import { loadAuditInputs } from './inputs.js';
import { auditWithSuppressions } from './audit.js';

/** `spnaudit tickets sync` (defined in commands/tickets.ts, loaded only when it runs). */
export async function ticketsSync(opts: TicketsCliOptions): Promise<number> {
  // Settings are checked before anything is collected or sent: a typo fails in a second, not after a live collection.
  const config = opts.config ? await loadConfigFile(opts.config) : null;
  const settings = resolveTicketSettings(opts, config);

  const { ldapUrl, ldapCaFile, ldapTimeout, url: _ticketUrl, caFile: _ticketCa, ...rest } = opts;
  const inputOpts: InputCliOptions = { ...rest };
  if (ldapUrl !== undefined) inputOpts.url = ldapUrl;
  if (ldapCaFile !== undefined) inputOpts.caFile = ldapCaFile;
  if (ldapTimeout !== undefined) inputOpts.timeout = ldapTimeout;
  const inputs = await loadAuditInputs(inputOpts);

  const result = auditWithSuppressions(inputs);
  await runTicketSync(result, settings, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
  if (!result.scope.complete) {
    process.stderr.write('spnaudit: INCOMPLETE audit: tickets were opened and updated, none was closed (exit 4)\n');
    return EXIT.INCOMPLETE;
  }
  return EXIT.OK;
}
