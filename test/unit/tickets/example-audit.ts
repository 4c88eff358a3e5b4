/**
 * Audits of the bundled example domain (examples/contoso.snapshot.json + examples/spnaudit.yaml) and
 * controlled mutations of its snapshot, for the ticket suites (unit fakes and the real Redmine).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAudit } from '../../../src/analyze/audit.js';
import { loadConfigFile } from '../../../src/config/file.js';
import { readSnapshot } from '../../../src/directory/snapshot-io.js';
import { loadInventory } from '../../../src/iis/index.js';
import type { AuditResult } from '../../../src/model/audit.js';
import type { Account, Snapshot } from '../../../src/model/directory.js';
import type { Inventory } from '../../../src/model/iis.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const EXAMPLE_SNAPSHOT = path.join(ROOT, 'examples/contoso.snapshot.json');
export const EXAMPLE_CONFIG = path.join(ROOT, 'examples/spnaudit.yaml');
/** Fixed: rules that compare dates (password age, expiry) give the same findings every run. */
export const AUDIT_NOW = new Date('2026-11-22T02:00:00Z');

export interface Example {
  snapshot: Snapshot;
  inventory: Inventory;
}

export async function loadExample(): Promise<Example> {
  const config = await loadConfigFile(EXAMPLE_CONFIG);
  const inventory = await loadInventory({ iisPaths: [], config });
  return { snapshot: await readSnapshot(EXAMPLE_SNAPSHOT), inventory };
}

/** A deep copy of the snapshot with `change` applied to the named account. */
export function withAccount(snapshot: Snapshot, sam: string, change: (a: Account) => void): Snapshot {
  const copy = structuredClone(snapshot);
  const account = copy.accounts.find((a) => a.sAMAccountName === sam);
  if (!account) throw new Error(`no account ${sam} in the example snapshot`);
  change(account);
  return copy;
}

export function incomplete(snapshot: Snapshot): Snapshot {
  return { ...structuredClone(snapshot), complete: false, errors: [{ where: 'CN=Users,DC=contoso,DC=test', message: 'size limit exceeded (simulated)', code: 4 }] };
}

export function audit(snapshot: Snapshot, inventory: Inventory | null): AuditResult {
  return runAudit(snapshot, inventory, { now: AUDIT_NOW, generatedAt: AUDIT_NOW });
}
