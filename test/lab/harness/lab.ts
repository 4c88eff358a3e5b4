/**
 * One lab from nothing to a seeded, answering DC — and back to nothing. Used by the vitest globalSetup
 * and by scripts/lab.ts.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertPortsFree, groupAlive, killGroupSync, startSamba, stopSamba, waitUntilReady } from './daemon.js';
import { LabError } from './exec.js';
import type { LabTools } from './packages.js';
import { labPaths, makeLabPki, provisionDomain, TLS_SERVER_NAME, writeLabConfig, type LabPaths } from './provision.js';
import { seedScenario, type SeedTimings } from './seed.js';
import type { LabInfo } from './types.js';
import { LAB_BASE_DN, LAB_DNS_DOMAIN, LAB_NETBIOS, LAB_REALM } from '../scenario.js';

export const KEEP_ENV = 'SPNAUDIT_LAB_KEEP';

export interface StartTimings extends SeedTimings {
  provisionMs: number;
  configMs: number;
  startMs: number;
  totalMs: number;
}

/** Random per run; fixed prefix/suffix satisfy Samba's complexity rule (upper, lower, digit, symbol). */
function randomPassword(): string {
  return `Lab-${randomBytes(15).toString('base64url')}-7q`;
}

function stateFile(dir: string): string {
  return path.join(dir, 'lab.json');
}

/** lab.json in the lab dir: everything but the password (that stays in its 0600 file). */
export function saveLabState(lab: LabInfo): void {
  const { password: _password, ...rest } = lab;
  writeFileSync(stateFile(lab.targetDir), `${JSON.stringify(rest, null, 2)}\n`, { mode: 0o600 });
}

export function loadLabState(dir: string): LabInfo {
  const file = stateFile(dir);
  if (!existsSync(file)) throw new LabError(`${file}: no lab state (not a lab directory, or already removed)`);
  const rest = JSON.parse(readFileSync(file, 'utf8')) as Omit<LabInfo, 'password'>;
  return { ...rest, password: readFileSync(rest.passwordFile, 'utf8') };
}

export function labInfoFor(paths: LabPaths, password: string, pid: number, bulkAccounts = 0): LabInfo {
  return {
    ldapUrl: 'ldap://127.0.0.1:389',
    ldapsUrl: 'ldaps://127.0.0.1:636',
    gcUrl: 'ldap://127.0.0.1:3268',
    gcsUrl: 'ldaps://127.0.0.1:3269',
    ldapsNameMismatchUrl: 'ldaps://[::1]:636',
    baseDn: LAB_BASE_DN,
    realm: LAB_REALM,
    dnsDomain: LAB_DNS_DOMAIN,
    netbios: LAB_NETBIOS,
    bindDn: `Administrator@${LAB_REALM}`,
    password,
    passwordFile: paths.passwordFile,
    caFile: paths.caFile,
    tlsServerName: TLS_SERVER_NAME,
    targetDir: paths.dir,
    smbConf: paths.smbConf,
    samPath: paths.samPath,
    krb5Config: paths.krb5Config,
    pid,
    bulkAccounts,
  };
}

/** Starts samba on an already provisioned lab dir and waits until it answers. */
export async function startDaemon(paths: LabPaths, tools: LabTools, password: string): Promise<number> {
  const pid = startSamba(paths, tools);
  try {
    await waitUntilReady(pid, paths, {
      ldapUrl: 'ldap://127.0.0.1:389',
      ldapsUrl: 'ldaps://127.0.0.1:636',
      bindDn: `Administrator@${LAB_REALM}`,
      password,
      caFile: paths.caFile,
    });
  } catch (error) {
    await stopSamba(pid).catch(() => killGroupSync(pid));
    throw error;
  }
  return pid;
}

export interface StartOptions {
  log?: (line: string) => void;
  /** Keep the lab dir when startup fails (post-mortem). */
  keepOnFailure?: boolean;
}

export async function startLab(tools: LabTools, options: StartOptions = {}): Promise<{ lab: LabInfo; timings: StartTimings }> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  await assertPortsFree();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spnaudit-lab-'));
  chmodSync(dir, 0o700);
  const paths = labPaths(dir);
  const password = randomPassword();
  try {
    let t = Date.now();
    log(`lab: provisioning ${LAB_REALM} into ${dir}`);
    await provisionDomain(paths, tools, password);
    const provisionMs = Date.now() - t;

    t = Date.now();
    writeLabConfig(paths);
    await makeLabPki(paths, tools);
    writeFileSync(paths.passwordFile, password, { mode: 0o600 });
    const configMs = Date.now() - t;

    log('lab: seeding the scenario (offline)');
    const seed = await seedScenario(paths, tools);

    t = Date.now();
    log('lab: starting samba');
    const pid = await startDaemon(paths, tools, password);
    const startMs = Date.now() - t;

    const lab = labInfoFor(paths, password, pid);
    saveLabState(lab);
    return { lab, timings: { provisionMs, configMs, ...seed, startMs, totalMs: Date.now() - started } };
  } catch (error) {
    if (!options.keepOnFailure) rmSync(dir, { recursive: true, force: true });
    else log(`lab: kept ${dir} for inspection`);
    throw error;
  }
}

export async function stopLab(lab: Pick<LabInfo, 'pid' | 'targetDir'>, options: { keepDir?: boolean } = {}): Promise<void> {
  try {
    await stopSamba(lab.pid);
  } finally {
    if (!options.keepDir) rmSync(lab.targetDir, { recursive: true, force: true });
  }
}

/** For process exit handlers: nothing asynchronous runs there any more. */
export function stopLabSync(lab: Pick<LabInfo, 'pid' | 'targetDir'>, options: { keepDir?: boolean } = {}): void {
  if (groupAlive(lab.pid)) killGroupSync(lab.pid);
  if (!options.keepDir) rmSync(lab.targetDir, { recursive: true, force: true });
}
