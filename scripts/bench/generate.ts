/**
 * Synthetic directories and IIS inventories of any size with a known mix of defects, for the
 * benchmark. Everything is derived from the account index (no randomness), so a size always gives
 * the same data and the planted defect counts can be stated up front (see {@link plannedDefects}).
 *
 * Layout of a directory of N accounts with S servers (S ≤ N / 4):
 *   - WEB0001..WEBnnnn      S web server computers, one per inventory server
 *   - gmsa_web0001$..       S gMSAs, the app pool identities of those servers (HTTP/appNNNN[.domain])
 *   - the rest ("bulk")     a repeating pattern of 100: computers, gMSAs and user service accounts,
 *                           some of them with a planted defect
 * Each account holds about three SPNs.
 */
import { inAccountOrder } from '../../src/model/account-order.js';
import type { Account, AccountKind, Domain, Forest, Snapshot } from '../../src/model/directory.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../../src/model/directory.js';
import { UAC } from '../../src/model/uac.js';

export const BENCH_DOMAIN = 'contoso.test';
export const BENCH_NETBIOS = 'CONTOSO';
export const BENCH_DOMAIN_DN = 'DC=contoso,DC=test';
export const BENCH_DOMAIN_SID = 'S-1-5-21-1004336348-1177238915-682003330';
export const BENCH_COLLECTED_AT = '2026-06-01T00:00:00.000Z';

const AES = 0x18;
const RC4_ONLY = 0x4;

export interface GenerateSpec {
  /** Total accounts in the snapshot. */
  accounts: number;
  /** IIS servers in the inventory (each gets a computer account and a gMSA pool identity). */
  servers: number;
}

/** What a bulk slot of the 100-slot pattern holds. */
export type BulkRole =
  | 'computer'
  | 'gmsa'
  | 'user'
  /** A user service account whose MSSQLSvc SPN is also on the previous slot's account. */
  | 'duplicate-spn'
  /** A user service account with HTTP/<name>.domain but not HTTP/<name>. */
  | 'missing-spn-variant'
  /** A gMSA whose msDS-SupportedEncryptionTypes allows RC4 only. */
  | 'rc4-only';

/**
 * The 100-slot pattern of bulk accounts: 60 computers, 30 gMSAs, 4 plain user service accounts and
 * 2 of each planted defect. A duplicate slot always follows a user slot, so the SPN it duplicates
 * belongs to a clean account.
 */
const PATTERN: readonly BulkRole[] = (() => {
  const roles: BulkRole[] = [];
  for (let i = 0; i < 100; i += 1) {
    if (i < 60) roles.push('computer');
    else if (i < 90) roles.push('gmsa');
    else roles.push(['user', 'duplicate-spn', 'missing-spn-variant', 'rc4-only', 'user'][(i - 90) % 5] as BulkRole);
  }
  return roles;
})();

export function bulkRole(bulkIndex: number): BulkRole {
  return PATTERN[bulkIndex % PATTERN.length] as BulkRole;
}

/** Inventory-side defects, by server number (1-based). */
export type ServerRole =
  | 'clean'
  /** The site also answers on legacyNNNN.domain, which nobody holds an SPN for. */
  | 'missing-spn'
  /** The site's SPN is on a user account instead of the pool's gMSA. */
  | 'spn-on-wrong-account';

export function serverRole(serverNumber: number): ServerRole {
  if (serverNumber % 50 === 0) return 'missing-spn';
  if (serverNumber % 50 === 25) return 'spn-on-wrong-account';
  return 'clean';
}

/** The planted defects and what the audit must find for them (finding counts per rule id). */
export interface DefectPlan {
  accounts: number;
  spns: number;
  servers: number;
  /** Expected finding count per rule id; rules not listed must report nothing. */
  findings: Record<string, number>;
}

export function validateSpec(spec: GenerateSpec): void {
  if (!Number.isInteger(spec.accounts) || spec.accounts < 1) throw new Error(`accounts must be a positive integer, got ${spec.accounts}`);
  if (!Number.isInteger(spec.servers) || spec.servers < 0) throw new Error(`servers must be a non-negative integer, got ${spec.servers}`);
  if (spec.servers > 9999) throw new Error(`at most 9999 servers (4-digit names), got ${spec.servers}`);
  if (spec.servers * 4 > spec.accounts) throw new Error(`${spec.accounts} accounts are too few for ${spec.servers} servers (need 4 per server)`);
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const serverName = (n: number): string => `WEB${pad(n, 4)}`;
const appHost = (n: number): string => `app${pad(n, 4)}.${BENCH_DOMAIN}`;
const legacyHost = (n: number): string => `legacy${pad(n, 4)}.${BENCH_DOMAIN}`;

/** objectGUID from the index: unique, valid, and readable when debugging. */
export function benchGuid(index: number): string {
  const hex = index.toString(16).padStart(12, '0');
  return `0be7c4a0-0000-4000-8000-${hex}`;
}

const sidOf = (index: number): string => `${BENCH_DOMAIN_SID}-${1100 + index}`;

const OBJECT_CLASSES: Record<AccountKind, readonly string[]> = {
  user: ['top', 'person', 'organizationalPerson', 'user'],
  computer: ['top', 'person', 'organizationalPerson', 'user', 'computer'],
  gmsa: ['top', 'person', 'organizationalPerson', 'user', 'computer', 'msDS-GroupManagedServiceAccount'],
  msa: ['top', 'person', 'organizationalPerson', 'user', 'computer', 'msDS-ManagedServiceAccount'],
};

/** Domain Computers: every computer is in it (primary group), so a gMSA granting it is retrievable. */
const DOMAIN_COMPUTERS_SID = `${BENCH_DOMAIN_SID}-515`;

function baseAccount(index: number, sam: string, kind: AccountKind, container: string, spns: string[]): Account {
  const cn = sam.replace(/\$$/, '');
  return {
    dn: `CN=${cn},${container},${BENCH_DOMAIN_DN}`,
    objectGuid: benchGuid(index),
    objectSid: sidOf(index),
    sAMAccountName: sam,
    userPrincipalName: kind === 'user' ? `${sam}@${BENCH_DOMAIN}` : null,
    kind,
    objectClass: [...OBJECT_CLASSES[kind]],
    domain: BENCH_DOMAIN,
    userAccountControl: kind === 'user' ? UAC.NORMAL_ACCOUNT | UAC.DONT_EXPIRE_PASSWORD : UAC.WORKSTATION_TRUST_ACCOUNT,
    userAccountControlComputed: 0,
    servicePrincipalNames: spns,
    supportedEncryptionTypes: AES,
    pwdLastSet: '2026-03-01T00:00:00.000Z',
    mustChangePassword: false,
    accountExpires: null,
    whenCreated: '2024-01-01T00:00:00.000Z',
    lastLogonTimestamp: '2026-05-30T00:00:00.000Z',
    dnsHostName: kind === 'computer' ? `${cn.toLowerCase()}.${BENCH_DOMAIN}` : kind === 'gmsa' ? `${cn.toLowerCase()}.${BENCH_DOMAIN}` : null,
    allowedToDelegateTo: [],
    allowedToActOnBehalfOf: null,
    groupMsaMembership: kind === 'gmsa' ? [DOMAIN_COMPUTERS_SID] : null,
    adminCount: null,
    memberOf: [],
    primaryGroupId: kind === 'user' ? 513 : 515,
    privileged: false,
  };
}

function computerAccount(index: number, name: string): Account {
  const lower = name.toLowerCase();
  return baseAccount(index, `${name}$`, 'computer', 'OU=Servers', [
    `HOST/${name}`,
    `HOST/${lower}.${BENCH_DOMAIN}`,
    `TERMSRV/${lower}.${BENCH_DOMAIN}`,
  ]);
}

function gmsaAccount(index: number, name: string, host: string, opts: { shortForm?: boolean } = {}): Account {
  const short = host.slice(0, host.indexOf('.'));
  const spns = [`HTTP/${host}`, ...(opts.shortForm === false ? [] : [`HTTP/${short}`]), `WSMAN/${host}`];
  return baseAccount(index, `${name}$`, 'gmsa', 'CN=Managed Service Accounts', spns);
}

/** Name of the bulk account in a slot (used for its SPN hosts too). */
export function bulkName(bulkIndex: number): string {
  const role = bulkRole(bulkIndex);
  const n = pad(bulkIndex, 7);
  switch (role) {
    case 'computer':
      return `PC${n}`;
    case 'gmsa':
    case 'rc4-only':
      return `gmsa${n}`;
    default:
      return `svc${n}`;
  }
}

function sqlSpn(name: string): string {
  return `MSSQLSvc/${name.toLowerCase()}.${BENCH_DOMAIN}:1433`;
}

function bulkAccount(index: number, bulkIndex: number): Account {
  const role = bulkRole(bulkIndex);
  const name = bulkName(bulkIndex);
  const lower = name.toLowerCase();
  const fqdn = `${lower}.${BENCH_DOMAIN}`;
  switch (role) {
    case 'computer':
      return computerAccount(index, name);
    case 'gmsa':
      return gmsaAccount(index, name, fqdn);
    case 'rc4-only':
      return { ...gmsaAccount(index, name, fqdn), supportedEncryptionTypes: RC4_ONLY };
    case 'user':
      return baseAccount(index, name, 'user', 'OU=Service Accounts', [`HTTP/${fqdn}`, `HTTP/${lower}`, sqlSpn(name)]);
    case 'missing-spn-variant':
      return baseAccount(index, name, 'user', 'OU=Service Accounts', [`HTTP/${fqdn}`, sqlSpn(name)]);
    case 'duplicate-spn':
      // The previous slot is a clean user: its MSSQLSvc SPN is registered a second time here.
      return baseAccount(index, name, 'user', 'OU=Service Accounts', [`HTTP/${fqdn}`, `HTTP/${lower}`, sqlSpn(bulkName(bulkIndex - 1))]);
  }
}

/**
 * The user account that wrongly holds the app SPN of a spn-on-wrong-account server: one per such
 * server, placed right after the server gMSAs. Returns null for other servers.
 */
function wrongHolder(index: number, serverNumber: number): Account {
  const host = appHost(serverNumber);
  return baseAccount(index, `svc_web${pad(serverNumber, 4)}`, 'user', 'OU=Service Accounts', [`HTTP/${host}`, `HTTP/${host.slice(0, host.indexOf('.'))}`]);
}

function wrongHolderServers(servers: number): number[] {
  const out: number[] = [];
  for (let n = 1; n <= servers; n += 1) if (serverRole(n) === 'spn-on-wrong-account') out.push(n);
  return out;
}

/** Every account of the directory, in index order, one at a time (a million never sit in one array here). */
export function* generateAccounts(spec: GenerateSpec): Generator<Account> {
  validateSpec(spec);
  let index = 0;
  for (let n = 1; n <= spec.servers; n += 1) yield computerAccount(index++, serverName(n));
  for (let n = 1; n <= spec.servers; n += 1) {
    const host = appHost(n);
    const gmsa = gmsaAccount(index++, `gmsa_web${pad(n, 4)}`, host);
    // On a spn-on-wrong-account server the user account holds the app SPNs, not the pool's gMSA.
    if (serverRole(n) === 'spn-on-wrong-account') gmsa.servicePrincipalNames = [`WSMAN/${host}`];
    yield gmsa;
  }
  for (const n of wrongHolderServers(spec.servers)) yield wrongHolder(index++, n);
  for (let bulkIndex = 0; index < spec.accounts; bulkIndex += 1) yield bulkAccount(index++, bulkIndex);
}

export function snapshotHeader(): Omit<Snapshot, 'accounts'> {
  const forest: Forest = { rootDomain: BENCH_DOMAIN, configurationDn: `CN=Configuration,${BENCH_DOMAIN_DN}`, spnMappings: [], dsHeuristics: null };
  const domain: Domain = {
    dnsName: BENCH_DOMAIN,
    netbiosName: BENCH_NETBIOS,
    dn: BENCH_DOMAIN_DN,
    sid: BENCH_DOMAIN_SID,
    forest: BENCH_DOMAIN,
    functionalLevel: 7,
    rodcGroupCreated: '2012-01-01T00:00:00.000Z',
  };
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    tool: { name: 'spnaudit-bench', version: '1' },
    collectedAt: BENCH_COLLECTED_AT,
    source: { url: 'ldaps://dc1.contoso.test', baseDn: BENCH_DOMAIN_DN, bindIdentity: 'auditor@contoso.test', globalCatalog: false, tls: 'ldaps' },
    complete: true,
    errors: [],
    forests: [forest],
    domains: [domain],
  };
}

/** The whole snapshot in memory, in account order like collect's: for tests and small sizes. */
export function generateSnapshot(spec: GenerateSpec): Snapshot {
  const header = snapshotHeader();
  return { ...header, accounts: inAccountOrder([...generateAccounts(spec)], header.domains) };
}

/**
 * The snapshot as text chunks in the layout and account order `spnaudit collect` writes (header,
 * then one account per line), so a file of any size is written without building its text in
 * memory. The accounts themselves are held (about 1 GB at a million) to put them in account order.
 */
export function* snapshotJsonChunks(spec: GenerateSpec): Generator<string> {
  const { accounts, ...header } = generateSnapshot(spec);
  const headerJson = JSON.stringify(header, null, 2);
  yield `${headerJson.slice(0, -2)},\n  "accounts": [`;
  let first = true;
  let batch = '';
  for (const account of accounts) {
    batch += `${first ? '' : ','}\n    ${JSON.stringify(account)}`;
    first = false;
    if (batch.length > 1 << 20) {
      yield batch;
      batch = '';
    }
  }
  yield `${batch}${first ? '' : '\n  '}]\n}\n`;
}

/** The inventory as an spnaudit config file (`inventory:` section, hand-entered servers). */
export function inventoryConfigYaml(spec: GenerateSpec): string {
  validateSpec(spec);
  const lines: string[] = ['# Generated by scripts/bench/generate.ts: one site per server, user-mode Windows auth, pool identity a gMSA.', 'inventory:', '  browsersIncludePort: false', '  servers:'];
  for (let n = 1; n <= spec.servers; n += 1) {
    const name = serverName(n);
    const host = appHost(n);
    const pool = `App${pad(n, 4)}Pool`;
    const bindings = [`http *:80:${host}`, `https *:443:${host}`];
    const hosts = serverRole(n) === 'missing-spn' ? [host, legacyHost(n)] : [host];
    if (serverRole(n) === 'missing-spn') bindings.push(`http *:80:${legacyHost(n)}`);
    lines.push(
      `    - name: ${name}`,
      `      fqdn: ${name.toLowerCase()}.${BENCH_DOMAIN}`,
      `      domain: ${BENCH_DOMAIN}`,
      `      iisVersion: "10.0"`,
      `      registry: { backConnectionHostNames: [${hosts.join(', ')}], disableLoopbackCheck: false, maxFieldLength: 65534, maxRequestBytes: 65534 }`,
      `      appPools:`,
      `        - { name: ${pool}, identityType: SpecificUser, userName: '${BENCH_NETBIOS}\\gmsa_web${pad(n, 4)}$' }`,
      `      sites:`,
      `        - name: App${pad(n, 4)}`,
      `          id: 2`,
      `          appPool: ${pool}`,
      `          bindings: [${bindings.map((b) => `"${b}"`).join(', ')}]`,
      `          auth:`,
      `            windows: { enabled: true, useKernelMode: false, useAppPoolCredentials: false, providers: [Negotiate, NTLM] }`,
      `            anonymous: { enabled: false }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** How many bulk slots of each role a directory of this size has. */
function bulkRoleCounts(spec: GenerateSpec): Record<BulkRole, number> {
  const counts: Record<BulkRole, number> = { computer: 0, gmsa: 0, user: 0, 'duplicate-spn': 0, 'missing-spn-variant': 0, 'rc4-only': 0 };
  const bulk = spec.accounts - 2 * spec.servers - wrongHolderServers(spec.servers).length;
  const full = Math.floor(bulk / PATTERN.length);
  for (const role of PATTERN) counts[role] += full;
  for (let i = 0; i < bulk % PATTERN.length; i += 1) counts[bulkRole(i)] += 1;
  return counts;
}

/**
 * What the audit must report for a generated directory + inventory (every rule id not listed must
 * report nothing). Derived from the layout, not by running the audit: the unit tests compare the two.
 */
export function plannedDefects(spec: GenerateSpec, withInventory = true): DefectPlan {
  validateSpec(spec);
  const roles = bulkRoleCounts(spec);
  const wrong = wrongHolderServers(spec.servers).length;
  let missing = 0;
  for (let n = 1; n <= spec.servers; n += 1) if (serverRole(n) === 'missing-spn') missing += 1;
  const users = roles.user + roles['duplicate-spn'] + roles['missing-spn-variant'] + wrong;
  const findings: Record<string, number> = {
    'duplicate-spn': roles['duplicate-spn'],
    'missing-spn-variant': roles['missing-spn-variant'],
    'rc4-only': roles['rc4-only'],
    // Every enabled user with SPNs is exposed; that is the directory's baseline, not a planted defect.
    'kerberoastable-user': users,
  };
  if (withInventory) {
    findings['missing-spn'] = missing;
    findings['spn-on-wrong-account'] = wrong;
  }
  const spns =
    spec.servers * 3 + // web server computers
    (spec.servers - wrong) * 3 + wrong * 1 + // their gMSAs
    wrong * 2 +
    roles.computer * 3 +
    roles.gmsa * 3 +
    roles['rc4-only'] * 3 +
    roles.user * 3 +
    roles['duplicate-spn'] * 3 +
    roles['missing-spn-variant'] * 2;
  return { accounts: spec.accounts, spns, servers: spec.servers, findings: Object.fromEntries(Object.entries(findings).filter(([, n]) => n > 0)) };
}

/** LDIF value: plain when it is a SAFE-STRING (RFC 2849), base64 otherwise. */
function ldifLine(attribute: string, value: string): string {
  const safe = /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value) && !value.endsWith(' ');
  return safe ? `${attribute}: ${value}` : `${attribute}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

export const LAB_OU = 'OU=Bench';

/**
 * The generated directory as LDIF for `ldbadd` into a Samba lab's sam.ldb (domain contoso.test),
 * in chunks of `chunkSize` entries (one ldbadd transaction each; one huge transaction never ends).
 * Differences from the snapshot, because Samba refuses or cannot fake them: gMSAs become user
 * accounts (a real gMSA needs a KDS root key), and the duplicated SPN of each duplicate-spn slot
 * is left out (samldb rejects duplicates; see test/lab/harness for the raw-partition route).
 * The first chunk creates the OU.
 */
export function labLdifChunks(spec: GenerateSpec, chunkSize = 2000): Generator<{ ldif: string; entries: number }> {
  return ldifChunks(mixedEntries(spec), chunkSize);
}

/** The generated directory's LDIF entries (lines without the blank separator), in order. */
function* mixedEntries(spec: GenerateSpec): Generator<string[]> {
  const firstBulk = 2 * spec.servers + wrongHolderServers(spec.servers).length;
  let index = 0;
  for (const account of generateAccounts(spec)) {
    const bulkIndex = index - firstBulk;
    const isBulk = bulkIndex >= 0;
    index += 1;
    const duplicated = isBulk && bulkRole(bulkIndex) === 'duplicate-spn' ? sqlSpn(bulkName(bulkIndex - 1)).toLowerCase() : null;
    const spns = account.servicePrincipalNames.filter((s) => s.toLowerCase() !== duplicated);
    const computer = account.kind === 'computer';
    const cn = account.sAMAccountName.replace(/\$$/, '');
    yield [
      ldifLine('dn', `CN=${cn},${LAB_OU},${BENCH_DOMAIN_DN}`),
      `objectClass: ${computer ? 'computer' : 'user'}`,
      ldifLine('sAMAccountName', computer ? account.sAMAccountName : cn),
      `userAccountControl: ${computer ? UAC.WORKSTATION_TRUST_ACCOUNT : UAC.NORMAL_ACCOUNT | UAC.DONT_EXPIRE_PASSWORD}`,
      ...(computer && account.dnsHostName ? [ldifLine('dNSHostName', account.dnsHostName)] : []),
      ...spns.map((s) => ldifLine('servicePrincipalName', s)),
      `msDS-SupportedEncryptionTypes: ${account.supportedEncryptionTypes ?? AES}`,
    ];
  }
}

/** LDIF in chunks of `chunkSize` entries (one ldbadd transaction each); the first chunk creates the OU first. */
function* ldifChunks(entries: Iterable<string[]>, chunkSize: number): Generator<{ ldif: string; entries: number }> {
  let ldif = `${ldifLine('dn', `${LAB_OU},${BENCH_DOMAIN_DN}`)}\nobjectClass: organizationalUnit\nou: Bench\n\n`;
  let count = 0;
  for (const lines of entries) {
    ldif += `${lines.join('\n')}\n\n`;
    count += 1;
    if (count === chunkSize) {
      yield { ldif, entries: count };
      ldif = '';
      count = 0;
    }
  }
  if (count > 0) yield { ldif, entries: count };
}

/** The two directory shapes the lab bench loads: the generated mix above, or service users only. */
export type LabShape = 'mixed' | 'service-users';

/**
 * `count` enabled user service accounts with two HTTP SPNs each (FQDN and short name), as LDIF
 * chunks like labLdifChunks: the directory impacket's GetUserSPNs is built for (it lists enabled
 * users with SPNs only), and the shape of the peer measurement in shared/research/labs.md
 * (20,011 holders / 42,018 SPNs). On the mixed directory most holders are computers, which
 * GetUserSPNs never reads.
 */
export function serviceUserLdifChunks(count: number, chunkSize = 2000): Generator<{ ldif: string; entries: number }> {
  return ldifChunks(serviceUserEntries(count), chunkSize);
}

function* serviceUserEntries(count: number): Generator<string[]> {
  for (let n = 1; n <= count; n += 1) {
    const name = `svc_app${pad(n, 6)}`;
    const host = `app${pad(n, 6)}`;
    yield [
      ldifLine('dn', `CN=${name},${LAB_OU},${BENCH_DOMAIN_DN}`),
      'objectClass: user',
      ldifLine('sAMAccountName', name),
      `userAccountControl: ${UAC.NORMAL_ACCOUNT | UAC.DONT_EXPIRE_PASSWORD}`,
      ldifLine('servicePrincipalName', `HTTP/${host}.${BENCH_DOMAIN}`),
      ldifLine('servicePrincipalName', `HTTP/${host}`),
      `msDS-SupportedEncryptionTypes: ${AES}`,
    ];
  }
}
