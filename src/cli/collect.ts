import { loadConfigFile } from '../config/file.js';
import { resolveLdapSettings } from '../config/ldap.js';
import { collectLive } from '../directory/live.js';
import { writeSnapshot } from '../directory/snapshot-io.js';
import { EXIT, UsageError } from '../errors.js';
import type { Snapshot } from '../model/directory.js';
import type { CollectCliOptions } from './commands/collect.js';

/** `spnaudit collect` (defined in commands/collect.ts, loaded only when it runs). */
export async function collectCommand(opts: CollectCliOptions): Promise<void> {
  if (!opts.out) throw new UsageError('--out <file> is required: where to write the snapshot');
  const config = opts.config ? await loadConfigFile(opts.config) : null;
  const settings = resolveLdapSettings(opts, config);
  const started = Date.now();
  const snapshot = await collectLive(settings, { identities: opts.identity ?? [], queriesDir: opts.queries });
  await writeSnapshot(opts.out, snapshot);
  process.stdout.write(`${summarize(snapshot, opts.out, (Date.now() - started) / 1000)}\n`);
  if (!snapshot.complete) {
    process.stderr.write(`spnaudit: INCOMPLETE collection (${snapshot.errors.length} failure(s)); the snapshot says complete: false\n`);
    for (const e of snapshot.errors) process.stderr.write(`  - ${e.where}: ${e.message}\n`);
    process.exitCode = EXIT.INCOMPLETE;
  }
}

export function summarize(s: Snapshot, file: string, seconds: number): string {
  const spns = s.accounts.reduce((n, a) => n + a.servicePrincipalNames.length, 0);
  const domains = s.domains.map((d) => d.dnsName).join(', ') || 'no domain';
  return `collected ${s.accounts.length} accounts, ${spns} SPNs from ${domains} in ${seconds.toFixed(1)} s${s.complete ? '' : ' (INCOMPLETE)'} -> ${file}`;
}
