/**
 * What audit, explain and plan read: the config file, the IIS inventory (when any IIS input is
 * given) and a snapshot — from --snapshot, or collected live with the connection flags.
 */
import { loadConfigFile, type LoadedConfig } from '../config/file.js';
import { resolveLdapSettings } from '../config/ldap.js';
import { collectLive } from '../directory/live.js';
import { readSnapshot, writeSnapshot } from '../directory/snapshot-io.js';
import { UsageError, oneLine } from '../errors.js';
import { loadInventory } from '../iis/index.js';
import type { Snapshot } from '../model/directory.js';
import type { Inventory } from '../model/iis.js';
import type { InputCliOptions } from './commands/options.js';

export interface AuditInputs {
  config: LoadedConfig | null;
  inventory: Inventory | null;
  snapshot: Snapshot;
  snapshotFile: string | null;
}

/** Domain identities of application pools: looked up by name even when they hold no SPN. */
export function poolIdentities(inventory: Inventory | null): string[] {
  const names = new Set<string>();
  for (const server of inventory?.servers ?? []) {
    for (const pool of server.appPools) {
      if (pool.identityType === 'SpecificUser' && pool.userName && pool.identity && pool.identity.scope !== 'local') names.add(pool.userName);
    }
  }
  return [...names].sort();
}

export async function loadAuditInputs(opts: InputCliOptions, stderr: NodeJS.WritableStream = process.stderr): Promise<AuditInputs> {
  const config = opts.config ? await loadConfigFile(opts.config) : null;
  const iisPaths = opts.iis ?? [];
  const hasIisInput = iisPaths.length > 0 || config?.data.iis !== undefined || config?.data.inventory !== undefined;
  const inventory = hasIisInput ? await loadInventory({ iisPaths, config }) : null;
  for (const w of inventory?.warnings ?? []) {
    stderr.write(`spnaudit: warning: ${w.file}${w.line ? `:${w.line}` : ''}: ${oneLine(w.message)}\n`);
  }
  if (opts.snapshot) {
    if (opts.url) throw new UsageError('give either --snapshot or --url, not both');
    if (opts.saveSnapshot) throw new UsageError('--save-snapshot is for live collection; the snapshot is already a file');
    return { config, inventory, snapshot: await readSnapshot(opts.snapshot), snapshotFile: opts.snapshot };
  }
  const settings = resolveLdapSettings(opts, config);
  const snapshot = await collectLive(settings, { identities: poolIdentities(inventory), queriesDir: opts.queries, stderr });
  if (opts.saveSnapshot) await writeSnapshot(opts.saveSnapshot, snapshot);
  return { config, inventory, snapshot, snapshotFile: opts.saveSnapshot ?? null };
}
