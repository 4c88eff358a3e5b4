/**
 * Bulk mode for benchmarks: N extra SPN holders in OU=Bulk, loaded offline with ldbadd in 2000-entry
 * chunks (one big transaction slows down badly; over the wire it is ~300 accounts/s). The DC must be
 * stopped for offline loading: a running lab is stopped, loaded and restarted (its pid changes).
 */
import { isLabDaemon, stopSamba } from './daemon.js';
import { LabError } from './exec.js';
import { ldifAdd } from './ldif.js';
import { saveLabState, startDaemon } from './lab.js';
import type { LabTools } from './packages.js';
import { labPaths } from './provision.js';
import { ldbApply } from './seed.js';
import type { LabInfo } from './types.js';
import { LAB_BASE_DN, LAB_DNS_DOMAIN } from '../scenario.js';
import { UAC } from '../../../src/model/uac.js';

export const BULK_OU = `OU=Bulk,${LAB_BASE_DN}`;
export const BULK_CHUNK = 2000;

export function bulkName(index: number): string {
  return `bulk${String(index).padStart(6, '0')}`;
}

/** Every bulk account: an FQDN and a NetBIOS HTTP SPN, like a typical web service account. */
export function bulkSpns(index: number): string[] {
  const name = bulkName(index);
  return [`HTTP/${name}.${LAB_DNS_DOMAIN}`, `HTTP/${name}`];
}

export function bulkLdif(first: number, count: number, withOu: boolean): string {
  let ldif = withOu ? ldifAdd(BULK_OU, { objectClass: 'organizationalUnit', ou: 'Bulk' }) : '';
  for (let index = first; index < first + count; index += 1) {
    const name = bulkName(index);
    ldif += ldifAdd(`CN=${name},${BULK_OU}`, {
      objectClass: 'user',
      sAMAccountName: name,
      userAccountControl: String(UAC.NORMAL_ACCOUNT),
      servicePrincipalName: bulkSpns(index),
    });
  }
  return ldif;
}

export interface BulkResult {
  lab: LabInfo;
  loadMs: number;
  restartMs: number;
}

export async function seedBulk(
  lab: LabInfo,
  count: number,
  tools: LabTools,
  log: (line: string) => void = () => undefined,
): Promise<BulkResult> {
  if (!Number.isInteger(count) || count < 1) throw new LabError(`bulk count must be a positive integer, got ${count}`);
  const paths = labPaths(lab.targetDir);
  const wasRunning = isLabDaemon(lab.pid, paths.pidFile);
  if (wasRunning) {
    log(`lab: stopping samba (pid ${lab.pid}) for offline loading`);
    await stopSamba(lab.pid);
  }
  const loadStarted = Date.now();
  const first = lab.bulkAccounts + 1;
  let loaded = 0;
  while (loaded < count) {
    const size = Math.min(BULK_CHUNK, count - loaded);
    const chunkFirst = first + loaded;
    await ldbApply(
      tools,
      paths,
      'ldbadd',
      paths.samPath,
      bulkLdif(chunkFirst, size, lab.bulkAccounts === 0 && loaded === 0),
      'bulk-chunk.ldif',
      // A throwaway lab: no fsync per transaction.
      ['--nosync'],
    );
    loaded += size;
    log(`lab: bulk ${loaded}/${count} (${((Date.now() - loadStarted) / 1000).toFixed(1)} s)`);
  }
  const loadMs = Date.now() - loadStarted;
  let updated: LabInfo = { ...lab, bulkAccounts: lab.bulkAccounts + count };
  saveLabState(updated);
  let restartMs = 0;
  if (wasRunning) {
    const restartStarted = Date.now();
    const pid = await startDaemon(paths, tools, lab.password);
    restartMs = Date.now() - restartStarted;
    updated = { ...updated, pid };
    saveLabState(updated);
  }
  return { lab: updated, loadMs, restartMs };
}
