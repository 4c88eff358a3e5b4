/**
 * Provisioning a throwaway CONTOSO.TEST domain into a private directory. Nothing under /etc is touched:
 * the domain, its smb.conf, krb5.conf, TLS material, logs, pid and sockets all live in the lab directory.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run } from './exec.js';
import type { LabTools } from './packages.js';
import { LAB_DC_HOSTNAME, LAB_DNS_DOMAIN, LAB_NETBIOS, LAB_REALM } from '../scenario.js';

export interface LabPaths {
  dir: string;
  smbConf: string;
  samPath: string;
  /** The raw domain partition: writes here bypass the DSDB modules (how duplicates get in). */
  domainPartition: string;
  passwordFile: string;
  krb5Config: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  logDir: string;
  pidFile: string;
  stdoutLog: string;
}

export function labPaths(dir: string): LabPaths {
  return {
    dir,
    smbConf: path.join(dir, 'etc', 'smb.conf'),
    samPath: path.join(dir, 'private', 'sam.ldb'),
    domainPartition: path.join(dir, 'private', 'sam.ldb.d', 'DC=CONTOSO,DC=TEST.ldb'),
    passwordFile: path.join(dir, 'admin.password'),
    krb5Config: path.join(dir, 'etc', 'krb5.conf'),
    caFile: path.join(dir, 'tls', 'ca.pem'),
    certFile: path.join(dir, 'tls', 'dc1.pem'),
    keyFile: path.join(dir, 'tls', 'dc1.key'),
    logDir: path.join(dir, 'log'),
    pidFile: path.join(dir, 'run', 'samba.pid'),
    stdoutLog: path.join(dir, 'log', 'samba.stdout.log'),
  };
}

export async function provisionDomain(paths: LabPaths, tools: LabTools, password: string): Promise<void> {
  await run(
    tools['samba-tool'],
    [
      'domain',
      'provision',
      `--targetdir=${paths.dir}`,
      `--realm=${LAB_REALM}`,
      `--domain=${LAB_NETBIOS}`,
      '--server-role=dc',
      '--dns-backend=NONE',
      '--backend-store=mdb',
      `--adminpass=${password}`,
      `--host-name=${LAB_DC_HOSTNAME}`,
      '--option=interfaces=lo',
      '--option=bind interfaces only=yes',
    ],
    { label: 'samba-tool domain provision', timeoutMs: 180_000 },
  );
}

/** [global] keys provision writes that point at the lab dir or define the domain: kept as provisioned. */
const KEPT_GLOBAL_KEYS = new Set([
  'netbios name',
  'workgroup',
  'realm',
  'server role',
  'private dir',
  'lock directory',
  'state directory',
  'cache directory',
  'binddns dir',
]);

/**
 * The lab's [global]: loopback only, plain simple bind allowed (the collector's ldap:// path), no
 * NetBIOS/DNS services (nothing may talk off the machine), every file the daemon writes inside the lab
 * dir, and our own certificate. Other sections are kept. Provision silently drops some --option values,
 * which is why this rewrites the file instead of passing options.
 */
export function rewriteGlobalSection(conf: string, paths: LabPaths): string {
  const sections: { name: string; lines: string[] }[] = [];
  for (const raw of conf.split('\n')) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) sections.push({ name: header[1]!.toLowerCase(), lines: [] });
    else if (line && !line.startsWith('#') && !line.startsWith(';') && sections.length > 0) sections.at(-1)!.lines.push(line);
  }
  const global = sections.find((s) => s.name === 'global');
  if (!global) throw new Error(`${paths.smbConf}: no [global] section after provisioning`);
  const kept = global.lines.filter((line) => KEPT_GLOBAL_KEYS.has(line.split('=')[0]!.trim().toLowerCase()));
  const sock = path.join(paths.dir, 'sock');
  const lab = [
    'interfaces = lo',
    'bind interfaces only = yes',
    'ldap server require strong auth = no',
    'disable netbios = yes',
    'server services = rpc, ldap, cldap, kdc, drepl, winbindd, kcc',
    'dns update command = /bin/true',
    'spn update command = /bin/true',
    `log file = ${path.join(paths.logDir, 'samba.log')}`,
    'max log size = 10000',
    `pid directory = ${path.dirname(paths.pidFile)}`,
    `winbindd socket directory = ${path.join(sock, 'winbindd')}`,
    `ntp signd socket directory = ${path.join(sock, 'ntp_signd')}`,
    `ncalrpc dir = ${path.join(sock, 'ncalrpc')}`,
    'tls enabled = yes',
    `tls keyfile = ${paths.keyFile}`,
    `tls certfile = ${paths.certFile}`,
    `tls cafile = ${paths.caFile}`,
  ];
  const out = ['# spnaudit lab: [global] rewritten by test/lab/harness/provision.ts', '[global]'];
  for (const line of [...kept, ...lab]) out.push(`\t${line}`);
  for (const section of sections.filter((s) => s.name !== 'global' && ['sysvol', 'netlogon'].includes(s.name))) {
    out.push('', `[${section.name}]`, ...section.lines.map((line) => `\t${line}`));
  }
  return `${out.join('\n')}\n`;
}

export function writeLabConfig(paths: LabPaths): void {
  for (const sub of ['run', 'log', 'sock', 'tls']) mkdirSync(path.join(paths.dir, sub), { recursive: true, mode: 0o700 });
  writeFileSync(paths.smbConf, rewriteGlobalSection(readFileSync(paths.smbConf, 'utf8'), paths));
  // A private krb5.conf: the KDC on loopback, no DNS lookups, no reverse-DNS canonicalisation.
  writeFileSync(
    paths.krb5Config,
    [
      '[libdefaults]',
      `\tdefault_realm = ${LAB_REALM}`,
      '\tdns_lookup_kdc = false',
      '\tdns_lookup_realm = false',
      '\trdns = false',
      '\tdns_canonicalize_hostname = false',
      '',
      '[realms]',
      `\t${LAB_REALM} = {`,
      '\t\tkdc = 127.0.0.1',
      '\t}',
      '',
      '[domain_realm]',
      `\t.${LAB_DNS_DOMAIN} = ${LAB_REALM}`,
      `\t${LAB_DNS_DOMAIN} = ${LAB_REALM}`,
      '',
    ].join('\n'),
  );
}

export const TLS_SERVER_NAME = `${LAB_DC_HOSTNAME}.${LAB_DNS_DOMAIN}`;

/**
 * Samba's auto-generated certificate has CN=DC1.<realm> and no subjectAltName, so nothing can verify it
 * when connecting to 127.0.0.1. A lab CA and a server certificate naming dc1.contoso.test, localhost and
 * 127.0.0.1 (deliberately not ::1, which gives a name-mismatch case) make ldaps://127.0.0.1 verifiable with
 * just the CA file, as a customer's DC would be with its real name.
 */
export async function makeLabPki(paths: LabPaths, tools: LabTools): Promise<void> {
  const tlsDir = path.dirname(paths.caFile);
  const caKey = path.join(tlsDir, 'ca.key');
  const csr = path.join(tlsDir, 'dc1.csr');
  const ext = path.join(tlsDir, 'dc1.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await run(tools.openssl, [
    'req', '-x509', ...ec, '-keyout', caKey, '-out', paths.caFile, '-days', '30',
    '-subj', '/O=spnaudit lab/CN=spnaudit lab CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ], { label: 'openssl req (lab CA)' });
  await run(tools.openssl, [
    'req', ...ec, '-keyout', paths.keyFile, '-out', csr, '-subj', `/O=spnaudit lab/CN=${TLS_SERVER_NAME}`,
  ], { label: 'openssl req (dc1)' });
  writeFileSync(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=DNS:${TLS_SERVER_NAME},DNS:localhost,IP:127.0.0.1`,
      '',
    ].join('\n'),
  );
  await run(tools.openssl, [
    'x509', '-req', '-in', csr, '-CA', paths.caFile, '-CAkey', caKey, '-CAcreateserial',
    '-out', paths.certFile, '-days', '30', '-extfile', ext,
  ], { label: 'openssl x509 (sign dc1)' });
  // Samba refuses a key file that others can read.
  chmodSync(paths.keyFile, 0o600);
  chmodSync(caKey, 0o600);
}
