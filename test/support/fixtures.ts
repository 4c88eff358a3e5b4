/**
 * Small builders for in-memory snapshots and inventories. Defaults describe the example domain
 * (contoso.test / CONTOSO, single-domain forest) and a Windows-auth intranet site, so a test only
 * writes what its case is about. GUIDs are derived from the account name, so fingerprints in
 * tests are deterministic.
 */
import { createHash } from 'node:crypto';
import type { Account, AccountKind, Domain, Forest, Snapshot } from '../../src/model/directory.js';
import type {
  AnonymousAuth,
  AppPool,
  Application,
  AuthSettings,
  Binding,
  Farm,
  IdentityType,
  IisServer,
  Inventory,
  RegistryFacts,
  Site,
  WindowsAuth,
} from '../../src/model/iis.js';
import { UAC } from '../../src/model/uac.js';

export const DOMAIN = 'contoso.test';
export const NETBIOS = 'CONTOSO';

/** A deterministic GUID-shaped string from any seed. */
export function guidFor(seed: string): string {
  const h = createHash('sha1').update(seed.toLowerCase()).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export interface AccountSpec extends Partial<Account> {
  /** sAMAccountName; computers/gMSAs/MSAs get a trailing $ if missing. */
  sam: string;
  kind?: AccountKind;
  spns?: string[];
  uac?: number;
  enctypes?: number | null;
}

const OBJECT_CLASSES: Record<AccountKind, string[]> = {
  user: ['top', 'person', 'organizationalPerson', 'user'],
  computer: ['top', 'person', 'organizationalPerson', 'user', 'computer'],
  gmsa: ['top', 'person', 'organizationalPerson', 'user', 'computer', 'msDS-GroupManagedServiceAccount'],
  msa: ['top', 'person', 'organizationalPerson', 'user', 'computer', 'msDS-ManagedServiceAccount'],
};

const DEFAULT_UAC: Record<AccountKind, number> = {
  user: UAC.NORMAL_ACCOUNT,
  computer: UAC.WORKSTATION_TRUST_ACCOUNT,
  gmsa: UAC.WORKSTATION_TRUST_ACCOUNT,
  msa: UAC.WORKSTATION_TRUST_ACCOUNT,
};

/** An account in contoso.test (override `domain` for others). */
export function account(spec: AccountSpec): Account {
  const { sam: rawSam, kind = 'user', spns, uac, enctypes, ...rest } = spec;
  const sam = kind !== 'user' && !rawSam.endsWith('$') ? `${rawSam}$` : rawSam;
  const domain = (rest.domain ?? DOMAIN).toLowerCase();
  const bare = sam.replace(/\$$/, '');
  const container = kind === 'user' ? 'CN=Users' : kind === 'computer' ? 'CN=Computers' : 'CN=Managed Service Accounts';
  const base: Account = {
    dn: `CN=${bare},${container},${domain.split('.').map((p) => `DC=${p}`).join(',')}`,
    objectGuid: guidFor(`${domain}\\${sam}`),
    objectSid: null,
    sAMAccountName: sam,
    userPrincipalName: kind === 'user' ? `${sam}@${domain}` : null,
    kind,
    objectClass: OBJECT_CLASSES[kind],
    domain,
    userAccountControl: uac ?? DEFAULT_UAC[kind],
    userAccountControlComputed: 0,
    servicePrincipalNames: spns ?? [],
    supportedEncryptionTypes: enctypes === undefined ? 24 : enctypes,
    pwdLastSet: '2025-01-01T00:00:00.000Z',
    mustChangePassword: false,
    accountExpires: null,
    whenCreated: '2024-01-01T00:00:00.000Z',
    lastLogonTimestamp: null,
    dnsHostName: kind === 'computer' ? `${bare.toLowerCase()}.${domain}` : null,
    allowedToDelegateTo: [],
    allowedToActOnBehalfOf: null,
    groupMsaMembership: null,
    adminCount: null,
    memberOf: [],
    primaryGroupId: kind === 'user' ? 513 : 515,
    privileged: false,
  };
  return { ...base, ...rest, domain };
}

/** A computer account with HOST/NAME and HOST/name.domain, like a domain join registers. */
export function computer(name: string, spec: Partial<AccountSpec> = {}): Account {
  const domain = (spec.domain ?? DOMAIN).toLowerCase();
  const n = name.replace(/\$$/, '');
  return account({
    sam: n,
    kind: 'computer',
    spns: [`HOST/${n.toUpperCase()}`, `HOST/${n.toLowerCase()}.${domain}`],
    ...spec,
  });
}

export function domain(spec: Partial<Domain> & { dnsName?: string } = {}): Domain {
  const dnsName = (spec.dnsName ?? DOMAIN).toLowerCase();
  return {
    dnsName,
    netbiosName: spec.netbiosName === undefined ? (dnsName.split('.')[0] ?? dnsName).toUpperCase() : spec.netbiosName,
    dn: dnsName.split('.').map((p) => `DC=${p}`).join(','),
    sid: null,
    forest: spec.forest ?? dnsName,
    functionalLevel: 7,
    rodcGroupCreated: '2010-01-01T00:00:00.000Z',
    ...spec,
  };
}

export function forest(spec: Partial<Forest> & { rootDomain?: string } = {}): Forest {
  const rootDomain = (spec.rootDomain ?? DOMAIN).toLowerCase();
  return {
    rootDomain,
    configurationDn: `CN=Configuration,${rootDomain.split('.').map((p) => `DC=${p}`).join(',')}`,
    spnMappings: [],
    dsHeuristics: null,
    ...spec,
  };
}

/** A complete snapshot; by default one domain and forest, contoso.test. */
export function snapshot(spec: { accounts?: Account[]; forests?: Forest[]; domains?: Domain[]; complete?: boolean; collectedAt?: string } = {}): Snapshot {
  return {
    schemaVersion: 1,
    tool: { name: 'spnaudit', version: 'test' },
    collectedAt: spec.collectedAt ?? '2026-06-01T00:00:00.000Z',
    source: { url: 'ldaps://dc1.contoso.test', baseDn: 'DC=contoso,DC=test', bindIdentity: 'auditor@contoso.test', globalCatalog: true, tls: 'ldaps' },
    complete: spec.complete ?? true,
    errors: [],
    forests: spec.forests ?? [forest()],
    domains: spec.domains ?? [domain()],
    accounts: spec.accounts ?? [],
  };
}

/**
 * A binding from `protocol bindingInformation`, e.g. "http *:80:intranet.contoso.test",
 * "https *:443:" (empty host header), "net.tcp 808:*".
 */
export function binding(spec: string): Binding {
  const space = spec.indexOf(' ');
  const protocol = spec.slice(0, space).toLowerCase();
  const raw = spec.slice(space + 1);
  const isHttp = protocol === 'http' || protocol === 'https';
  if (!isHttp) return { protocol, isHttp, raw, ip: null, port: null, host: null, pos: null };
  const first = raw.indexOf(':');
  const second = raw.indexOf(':', first + 1);
  return {
    protocol,
    isHttp,
    raw,
    ip: raw.slice(0, first),
    port: Number(raw.slice(first + 1, second)),
    host: raw.slice(second + 1).toLowerCase(),
    pos: null,
  };
}

export interface AuthSpec {
  windows?: Partial<WindowsAuth> | false;
  anonymous?: Partial<AnonymousAuth> | boolean;
  basic?: boolean;
  digest?: boolean;
}

/** Authentication settings; default: Windows auth on (kernel mode, Negotiate+NTLM), anonymous off. */
export function auth(spec: AuthSpec = {}): AuthSettings {
  const windowsSpec = spec.windows === false ? { enabled: false } : (spec.windows ?? {});
  const anonSpec = typeof spec.anonymous === 'boolean' ? { enabled: spec.anonymous } : (spec.anonymous ?? {});
  return {
    windows: {
      enabled: true,
      useKernelMode: true,
      useAppPoolCredentials: false,
      providers: ['Negotiate', 'NTLM'],
      extendedProtection: { tokenChecking: 'None', flags: [], spns: [] },
      pos: null,
      ...windowsSpec,
    },
    anonymous: { enabled: false, userName: 'IUSR', pos: null, ...anonSpec },
    basic: { enabled: spec.basic ?? false, pos: null },
    digest: { enabled: spec.digest ?? false, pos: null },
    clientCertificateMapping: { enabled: false, pos: null },
    iisClientCertificateMapping: { enabled: false, pos: null },
  };
}

/**
 * An application pool. `identity` is either an IdentityType or a SpecificUser userName
 * ("CONTOSO\svc_web", "svc@contoso.test", ".\localuser", "CONTOSO\gmsa$"). Default ApplicationPoolIdentity.
 */
export function pool(name: string, identity: IdentityType | string = 'ApplicationPoolIdentity', machine = 'WEB01'): AppPool {
  const types: IdentityType[] = ['ApplicationPoolIdentity', 'NetworkService', 'LocalSystem', 'LocalService', 'SpecificUser'];
  if ((types as string[]).includes(identity)) return { name, identityType: identity as IdentityType, userName: null, identity: null, pos: null };
  const userName = identity;
  let parsed: AppPool['identity'];
  const slash = userName.indexOf('\\');
  if (slash >= 0) {
    const authority = userName.slice(0, slash);
    const acct = userName.slice(slash + 1);
    const local = authority === '.' || authority.toLowerCase() === machine.toLowerCase();
    parsed = { scope: local ? 'local' : acct.endsWith('$') ? 'managed' : 'domain', domain: local ? machine.toUpperCase() : authority, account: acct };
  } else if (userName.includes('@')) {
    const at = userName.lastIndexOf('@');
    const acct = userName.slice(0, at);
    parsed = { scope: acct.endsWith('$') ? 'managed' : 'domain', domain: userName.slice(at + 1), account: acct };
  } else {
    parsed = { scope: userName.endsWith('$') ? 'managed' : 'domain', domain: null, account: userName };
  }
  return { name, identityType: 'SpecificUser', userName, identity: parsed, pos: null };
}

export interface SiteSpec {
  id?: number;
  /** Binding specs for {@link binding}, e.g. "http *:80:intranet.contoso.test". */
  bindings?: string[];
  /** Root application's pool name (default: `<Site>Pool` without spaces). */
  pool?: string;
  auth?: AuthSpec;
  /** Extra applications below the root: path, pool (default the site's), auth (default the site's). */
  apps?: Array<{ path: string; pool?: string; auth?: AuthSpec }>;
}

export function site(name: string, spec: SiteSpec = {}): Site {
  const poolName = spec.pool ?? `${name.replace(/\s+/g, '')}Pool`;
  const rootAuth = spec.auth ?? {};
  const applications: Application[] = [
    { path: '/', appPool: poolName, auth: auth(rootAuth), pos: null },
    ...(spec.apps ?? []).map((a) => ({ path: a.path, appPool: a.pool ?? poolName, auth: auth(a.auth ?? rootAuth), pos: null })),
  ];
  return {
    id: spec.id ?? 1,
    name,
    bindings: (spec.bindings ?? [`http *:80:${name.toLowerCase()}.${DOMAIN}`]).map(binding),
    applications,
    pos: null,
  };
}

export interface ServerSpec {
  name: string;
  fqdn?: string | null;
  domain?: string | null;
  pools?: AppPool[];
  sites?: Site[];
  registry?: RegistryFacts | null;
  tlsOffload?: boolean;
}

export function server(spec: ServerSpec): IisServer {
  const dom = spec.domain === undefined ? DOMAIN : spec.domain;
  return {
    name: spec.name.toUpperCase(),
    netbiosName: spec.name.toUpperCase(),
    fqdn: spec.fqdn === undefined ? (dom ? `${spec.name.toLowerCase()}.${dom}` : null) : spec.fqdn,
    domain: dom,
    iisVersion: '10.0',
    configFile: `${spec.name.toUpperCase()}/applicationHost.config`,
    registry: spec.registry ?? null,
    tlsOffload: spec.tlsOffload ?? false,
    appPools: spec.pools ?? [],
    sites: spec.sites ?? [],
  };
}

export function inventory(spec: { servers: IisServer[]; farms?: Farm[]; cnames?: Record<string, string>; browsersIncludePort?: boolean }): Inventory {
  return {
    servers: spec.servers,
    farms: spec.farms ?? [],
    cnames: spec.cnames ?? {},
    browsersIncludePort: spec.browsersIncludePort ?? false,
    warnings: [],
  };
}

/**
 * The most common shape: one server running one Windows-auth site on one pool.
 * `identity` as for {@link pool}.
 */
export function singleSite(opts: {
  server?: string;
  site?: string;
  hosts?: string[];
  identity?: IdentityType | string;
  auth?: AuthSpec;
}): IisServer {
  const serverName = opts.server ?? 'WEB01';
  const siteName = opts.site ?? 'Intranet';
  const poolName = `${siteName.replace(/\s+/g, '')}Pool`;
  return server({
    name: serverName,
    pools: [pool(poolName, opts.identity ?? 'ApplicationPoolIdentity', serverName)],
    sites: [
      site(siteName, {
        id: 2,
        pool: poolName,
        bindings: (opts.hosts ?? [`intranet.${DOMAIN}`]).map((h) => `http *:80:${h}`),
        ...(opts.auth ? { auth: opts.auth } : {}),
      }),
    ],
  });
}
