/**
 * The samba daemon's life: started in its own session (so its whole process tree is one process group
 * we can signal), readiness by real binds, stopped by PID — never by name, other labs may be running.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { Client } from 'ldapts';
import { LabError, sleep } from './exec.js';
import type { LabPaths } from './provision.js';
import type { LabTools } from './packages.js';

export const LAB_PORTS = { ldap: 389, ldaps: 636, gc: 3268, gcs: 3269, kdc: 88 } as const;

function tcpAnswers(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Samba's ports are fixed: a second DC (another lab, a system samba/slapd) would make ours fail oddly. */
export async function assertPortsFree(): Promise<void> {
  for (const [name, port] of Object.entries(LAB_PORTS)) {
    if (await tcpAnswers(port)) {
      throw new LabError(
        `port ${port} (${name}) on 127.0.0.1 is already in use — another lab or directory server is running; ` +
          'stop it (npx tsx scripts/lab.ts stop) before starting the lab',
      );
    }
  }
}

export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The pid is this lab's samba master: the binary is samba and the lab's pid file names it. Guards the CLI
 * against a stale lab.json whose pid the kernel has since given to something else.
 */
export function isLabDaemon(pid: number, pidFile: string): boolean {
  try {
    return path.basename(readlinkSync(`/proc/${pid}/exe`)) === 'samba' && Number(readFileSync(pidFile, 'utf8').trim()) === pid;
  } catch {
    return false;
  }
}

export function startSamba(paths: LabPaths, tools: LabTools): number {
  const out = openSync(paths.stdoutLog, 'a');
  try {
    const child = spawn(tools.samba, ['--foreground', '--no-process-group', '-s', paths.smbConf], {
      detached: true, // setsid(): own session and process group, no controlling terminal
      stdio: ['ignore', out, out],
      env: { ...process.env, KRB5_CONFIG: paths.krb5Config },
    });
    if (child.pid === undefined) throw new LabError(`could not start ${tools.samba}`);
    // Whoever started the lab may exit while samba keeps running (scripts/lab.ts start).
    child.unref();
    return child.pid;
  } finally {
    closeSync(out);
  }
}

function logTail(paths: LabPaths): string {
  const tails: string[] = [];
  for (const file of [paths.stdoutLog, `${paths.logDir}/samba.log`]) {
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).slice(-4);
    if (lines.length) tails.push(`${file}: ${lines.join(' | ')}`);
  }
  return tails.join(' ;; ') || 'no log output';
}

export interface ReadyCheck {
  ldapUrl: string;
  ldapsUrl: string;
  bindDn: string;
  password: string;
  caFile: string;
}

async function bindWorks(url: string, check: ReadyCheck): Promise<boolean> {
  const client = new Client({
    url,
    connectTimeout: 1000,
    timeout: 2000,
    ...(url.startsWith('ldaps:') ? { tlsOptions: { ca: [readFileSync(check.caFile)] } } : {}),
  });
  try {
    await client.bind(check.bindDn, check.password);
    return true;
  } catch {
    return false;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** Bounded poll until LDAP and LDAPS accept a bind and GC and KDC listen; a dead daemon fails at once. */
export async function waitUntilReady(pid: number, paths: LabPaths, check: ReadyCheck, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = 'LDAP bind';
  while (Date.now() < deadline) {
    if (!groupAlive(pid)) throw new LabError(`samba (pid ${pid}) exited during startup: ${logTail(paths)}`);
    if (!(await bindWorks(check.ldapUrl, check))) pending = `LDAP bind on ${check.ldapUrl}`;
    else if (!(await bindWorks(check.ldapsUrl, check))) pending = `LDAPS bind on ${check.ldapsUrl}`;
    else if (!(await tcpAnswers(LAB_PORTS.gc))) pending = 'global catalog port 3268';
    else if (!(await tcpAnswers(LAB_PORTS.kdc))) pending = 'KDC port 88';
    else return;
    await sleep(200);
  }
  throw new LabError(`samba (pid ${pid}) not ready after ${timeoutMs / 1000} s (waiting for ${pending}): ${logTail(paths)}`);
}

/** SIGTERM the master, wait for the whole process group to go, SIGKILL the group after the bound. */
export async function stopSamba(pid: number, graceMs = 10_000): Promise<void> {
  if (!groupAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // master already gone; children may linger and get the group kill below
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pid)) return;
    await sleep(100);
  }
  killGroupSync(pid);
  const hardDeadline = Date.now() + 5_000;
  while (groupAlive(pid) && Date.now() < hardDeadline) await sleep(100);
  if (groupAlive(pid)) throw new LabError(`samba process group ${pid} survived SIGKILL`);
}

/** For exit handlers, where nothing asynchronous runs any more. */
export function killGroupSync(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const WATCHDOG_SCRIPT = `
while kill -0 "$1" 2>/dev/null; do
  kill -0 -"$2" 2>/dev/null || exit 0
  sleep 1
done
kill -TERM -"$2" 2>/dev/null
sleep 3
kill -KILL -"$2" 2>/dev/null
[ "$3" = keep ] || rm -rf -- "$4"
`;

/**
 * Exit handlers cannot run when the owner is SIGKILLed (an OOM kill, a CI timeout): a detached shell
 * that outlives the owner stops samba and removes the lab dir then. It leaves quietly once samba is
 * stopped the normal way.
 */
export function startWatchdog(ownerPid: number, sambaPid: number, dir: string, keepDir: boolean): void {
  const child = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'spnaudit-lab-watchdog', String(ownerPid), String(sambaPid), keepDir ? 'keep' : 'remove', dir], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
}
