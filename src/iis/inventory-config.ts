import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { AppPool, Application, AuthSettings, Binding, ExtendedProtection, Farm, IdentityType, RegistryFacts, Site } from '../model/iis.js';
import type { SourcePos } from '../model/source.js';
import { normalizeAppPath } from './apphost.js';
import { parseBinding } from './binding.js';
import { parseIdentity, parseIdentityType } from './identity.js';
import { show } from './text.js';

/** Where a config section came from: enough to name `file:line` in every error. */
export interface SectionSource {
  file: string;
  lineOf(path: ReadonlyArray<string | number>): number | null;
}

/** A server as the inventory file describes it; null = not given there. */
export interface InventoryServerEntry {
  name: string;
  netbios: string | null;
  fqdn: string | null;
  domain: string | null;
  iisVersion: string | null;
  tlsOffload: boolean | null;
  registry: RegistryFacts | null;
  /** Hand-entered pools and sites, for a server without an applicationHost.config. */
  appPools: AppPool[] | null;
  sites: Site[] | null;
  pos: SourcePos;
}

export interface InventoryConfig {
  browsersIncludePort: boolean;
  servers: InventoryServerEntry[];
  farms: Array<Farm & { pos: SourcePos }>;
  cnames: Record<string, string>;
}

type Path = ReadonlyArray<string | number>;

/** Strict reader: every value is type-checked and every unknown key is an error naming file:line. */
export class Reader {
  constructor(private readonly where: SectionSource) {}

  line(path: Path): number {
    for (let n = path.length; n >= 0; n--) {
      const line = this.where.lineOf(path.slice(0, n));
      if (line !== null) return line;
    }
    return 1;
  }

  pos(path: Path): SourcePos {
    return { file: this.where.file, line: this.line(path) };
  }

  fail(path: Path, message: string): never {
    throw new UsageError(`${this.where.file}:${this.line(path)}: ${dotted(path)}: ${message}`);
  }

  map(value: unknown, path: Path, keys: readonly string[]): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'expected a mapping (key: value)');
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!keys.includes(key)) this.fail([...path, key], `unknown key ${show(key)} (expected one of: ${keys.join(', ')})`);
    }
    return record;
  }

  list(value: unknown, path: Path): unknown[] {
    if (!Array.isArray(value)) this.fail(path, 'expected a list');
    return value;
  }

  str(value: unknown, path: Path): string {
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string' || value.trim() === '') this.fail(path, 'expected a non-empty string');
    return value.trim();
  }

  optStr(value: unknown, path: Path): string | null {
    return value === undefined || value === null ? null : this.str(value, path);
  }

  bool(value: unknown, path: Path): boolean {
    if (typeof value !== 'boolean') this.fail(path, 'expected true or false');
    return value;
  }

  optBool(value: unknown, path: Path): boolean | null {
    return value === undefined || value === null ? null : this.bool(value, path);
  }

  int(value: unknown, path: Path, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, `expected a whole number from ${min} to ${max}`);
    }
    return value;
  }

  strList(value: unknown, path: Path): string[] {
    return this.list(value, path).map((item, i) => this.str(item, [...path, i]));
  }
}

function dotted(path: Path): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function hostName(r: Reader, value: unknown, path: Path): string {
  const host = r.str(value, path).toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?$/.test(host)) r.fail(path, `${show(host)} is not a host name`);
  return host;
}

const SERVER_KEYS = ['name', 'netbios', 'fqdn', 'domain', 'iisVersion', 'tlsOffload', 'registry', 'appPools', 'sites'] as const;
const REGISTRY_KEYS = ['backConnectionHostNames', 'disableLoopbackCheck', 'maxFieldLength', 'maxRequestBytes'] as const;

export function parseRegistry(r: Reader, value: unknown, path: Path): RegistryFacts {
  const raw = r.map(value, path, REGISTRY_KEYS);
  const facts: RegistryFacts = {};
  if (raw.backConnectionHostNames !== undefined && raw.backConnectionHostNames !== null) {
    facts.backConnectionHostNames = r.strList(raw.backConnectionHostNames, [...path, 'backConnectionHostNames']).map((h) => h.toLowerCase());
  }
  const loopback = raw.disableLoopbackCheck;
  if (loopback !== undefined && loopback !== null) {
    // The registry value is a DWORD; accept 0/1 as written by reg query as well as true/false.
    facts.disableLoopbackCheck = typeof loopback === 'number' ? r.int(loopback, [...path, 'disableLoopbackCheck'], 0, 0xffffffff) !== 0 : r.bool(loopback, [...path, 'disableLoopbackCheck']);
  }
  for (const key of ['maxFieldLength', 'maxRequestBytes'] as const) {
    if (raw[key] !== undefined && raw[key] !== null) facts[key] = r.int(raw[key], [...path, key], 1, 0xffffffff);
  }
  return facts;
}

const POOL_KEYS = ['name', 'identityType', 'userName'] as const;

function parsePool(r: Reader, value: unknown, path: Path, machineName: string): AppPool {
  const raw = r.map(value, path, POOL_KEYS);
  const name = r.str(raw.name, [...path, 'name']);
  let identityType: IdentityType = 'ApplicationPoolIdentity';
  if (raw.identityType !== undefined) {
    const parsed = parseIdentityType(r.str(raw.identityType, [...path, 'identityType']));
    if (!parsed) r.fail([...path, 'identityType'], 'expected ApplicationPoolIdentity, NetworkService, LocalSystem, LocalService or SpecificUser');
    identityType = parsed;
  }
  const userName = r.optStr(raw.userName, [...path, 'userName']);
  if (identityType === 'SpecificUser' && userName === null) r.fail(path, 'identityType SpecificUser needs a userName');
  if (identityType !== 'SpecificUser' && userName !== null) r.fail([...path, 'userName'], 'userName is only used with identityType SpecificUser');
  const parsed = userName === null ? null : parseIdentity(userName, machineName);
  return { name, identityType, userName, identity: parsed?.identity ?? null, pos: r.pos(path) };
}

const AUTH_KEYS = ['windows', 'anonymous', 'basic', 'digest', 'clientCertificateMapping', 'iisClientCertificateMapping'] as const;
const WINDOWS_KEYS = ['enabled', 'useKernelMode', 'useAppPoolCredentials', 'providers', 'extendedProtection'] as const;
const EP_KEYS = ['tokenChecking', 'flags', 'spns'] as const;
const EP_FLAG_NAMES = ['Proxy', 'NoServiceNameCheck', 'AllowDotlessSpn', 'ProxyCohosting'];

/**
 * Hand-entered authentication. Unset values take the same defaults as a default IIS install's root
 * configuration: windows off (providers Negotiate, NTLM; kernel mode on), anonymous on as IUSR, rest off.
 */
function parseAuth(r: Reader, value: unknown, path: Path): AuthSettings {
  const raw = value === undefined ? {} : r.map(value, path, AUTH_KEYS);
  const at = (key: string): Path => [...path, key];
  const win = raw.windows === undefined ? {} : r.map(raw.windows, at('windows'), WINDOWS_KEYS);
  const ep = win.extendedProtection === undefined ? {} : r.map(win.extendedProtection, [...at('windows'), 'extendedProtection'], EP_KEYS);
  const epPath = [...at('windows'), 'extendedProtection'];
  let tokenChecking: ExtendedProtection['tokenChecking'] = 'None';
  if (ep.tokenChecking !== undefined) {
    const t = r.str(ep.tokenChecking, [...epPath, 'tokenChecking']);
    if (t !== 'None' && t !== 'Allow' && t !== 'Require') r.fail([...epPath, 'tokenChecking'], 'expected None, Allow or Require');
    tokenChecking = t;
  }
  const flags = ep.flags === undefined ? [] : r.strList(ep.flags, [...epPath, 'flags']);
  flags.forEach((flag, i) => {
    if (!EP_FLAG_NAMES.includes(flag)) r.fail([...epPath, 'flags', i], `expected one of ${EP_FLAG_NAMES.join(', ')}`);
  });
  const section = (key: 'basic' | 'digest' | 'clientCertificateMapping' | 'iisClientCertificateMapping') => {
    const s = raw[key] === undefined ? {} : r.map(raw[key], at(key), ['enabled']);
    return { enabled: r.optBool(s.enabled, [...at(key), 'enabled']) ?? false, pos: raw[key] === undefined ? null : r.pos(at(key)) };
  };
  const anon = raw.anonymous === undefined ? {} : r.map(raw.anonymous, at('anonymous'), ['enabled', 'userName']);
  let anonUser = 'IUSR';
  if (anon.userName !== undefined) {
    if (typeof anon.userName !== 'string') r.fail([...at('anonymous'), 'userName'], "expected a string ('' = the application pool identity)");
    anonUser = anon.userName.trim();
  }
  return {
    windows: {
      enabled: r.optBool(win.enabled, [...at('windows'), 'enabled']) ?? false,
      useKernelMode: r.optBool(win.useKernelMode, [...at('windows'), 'useKernelMode']) ?? true,
      useAppPoolCredentials: r.optBool(win.useAppPoolCredentials, [...at('windows'), 'useAppPoolCredentials']) ?? false,
      providers: win.providers === undefined ? ['Negotiate', 'NTLM'] : r.strList(win.providers, [...at('windows'), 'providers']),
      extendedProtection: {
        tokenChecking,
        flags,
        spns: ep.spns === undefined ? [] : r.strList(ep.spns, [...epPath, 'spns']),
      },
      pos: raw.windows === undefined ? null : r.pos(at('windows')),
    },
    anonymous: {
      enabled: r.optBool(anon.enabled, [...at('anonymous'), 'enabled']) ?? true,
      userName: anonUser,
      pos: raw.anonymous === undefined ? null : r.pos(at('anonymous')),
    },
    basic: section('basic'),
    digest: section('digest'),
    clientCertificateMapping: section('clientCertificateMapping'),
    iisClientCertificateMapping: section('iisClientCertificateMapping'),
  };
}

const SITE_KEYS = ['name', 'id', 'bindings', 'appPool', 'auth', 'applications'] as const;
const APP_KEYS = ['path', 'appPool', 'auth'] as const;
const BINDING_KEYS = ['protocol', 'bindingInformation'] as const;

function parseHandBinding(r: Reader, value: unknown, path: Path): Binding {
  let protocol: string;
  let info: string;
  if (typeof value === 'string') {
    // Shorthand "http *:80:host", as appcmd prints bindings.
    const match = /^(\S+)\s+(\S*)$/.exec(value.trim());
    if (!match) r.fail(path, "expected '<protocol> <bindingInformation>', e.g. 'http *:80:intranet.contoso.test'");
    protocol = match[1] as string;
    info = match[2] as string;
  } else {
    const raw = r.map(value, path, BINDING_KEYS);
    protocol = r.str(raw.protocol, [...path, 'protocol']);
    info = raw.bindingInformation === '' ? '' : r.str(raw.bindingInformation, [...path, 'bindingInformation']);
  }
  const parsed = parseBinding(protocol, info, r.pos(path));
  if (!parsed.ok) r.fail(path, `binding ${show(info)} does not parse: ${parsed.reason}`);
  return parsed.binding;
}

function parseSite(r: Reader, value: unknown, path: Path, poolNames: Set<string>): Site {
  const raw = r.map(value, path, SITE_KEYS);
  const name = r.str(raw.name, [...path, 'name']);
  const id = r.int(raw.id, [...path, 'id'], 1, 4294967295);
  const bindings = r.list(raw.bindings ?? [], [...path, 'bindings']).map((b, i) => parseHandBinding(r, b, [...path, 'bindings', i]));
  const sitePool = r.optStr(raw.appPool, [...path, 'appPool']);
  const checkPool = (pool: string | null, at: Path): string => {
    if (pool === null) r.fail(at, 'no appPool: give one on the application or the site');
    if (!poolNames.has(pool.toLowerCase())) r.fail(at, `application pool ${show(pool)} is not in this server's appPools`);
    return pool;
  };
  let applications: Application[];
  if (raw.applications === undefined) {
    applications = [{ path: '/', appPool: checkPool(sitePool, [...path, 'appPool']), auth: parseAuth(r, raw.auth, [...path, 'auth']), pos: r.pos(path) }];
  } else {
    if (raw.auth !== undefined) r.fail([...path, 'auth'], 'with applications, give auth on each application');
    applications = r.list(raw.applications, [...path, 'applications']).map((item, i) => {
      const at: Path = [...path, 'applications', i];
      const app = r.map(item, at, APP_KEYS);
      const appPath = normalizeAppPath(r.str(app.path, [...at, 'path']));
      const pool = r.optStr(app.appPool, [...at, 'appPool']) ?? sitePool;
      return { path: appPath, appPool: checkPool(pool, [...at, 'appPool']), auth: parseAuth(r, app.auth, [...at, 'auth']), pos: r.pos(at) };
    });
  }
  return { id, name, bindings, applications, pos: r.pos(path) };
}

function parseServer(r: Reader, value: unknown, path: Path): InventoryServerEntry {
  const raw = r.map(value, path, SERVER_KEYS);
  const name = r.str(raw.name, [...path, 'name']);
  const netbios = r.optStr(raw.netbios, [...path, 'netbios'])?.toUpperCase() ?? null;
  if (netbios !== null && !/^[A-Z0-9!#$%&'()\-.@^_`{}~]{1,15}$/.test(netbios)) {
    r.fail([...path, 'netbios'], `${show(netbios)} is not a NetBIOS name (at most 15 characters, no spaces)`);
  }
  const machineName = netbios ?? name;
  const appPools = raw.appPools === undefined ? null : r.list(raw.appPools, [...path, 'appPools']).map((p, i) => parsePool(r, p, [...path, 'appPools', i], machineName));
  const poolNames = new Set<string>();
  appPools?.forEach((pool, i) => {
    if (poolNames.has(pool.name.toLowerCase())) r.fail([...path, 'appPools', i, 'name'], `application pool ${show(pool.name)} is listed twice`);
    poolNames.add(pool.name.toLowerCase());
  });
  const sites = raw.sites === undefined ? null : r.list(raw.sites, [...path, 'sites']).map((s, i) => parseSite(r, s, [...path, 'sites', i], poolNames));
  const siteKeys = new Set<string>();
  sites?.forEach((site, i) => {
    for (const key of [`name:${site.name.toLowerCase()}`, `id:${site.id}`]) {
      if (siteKeys.has(key)) r.fail([...path, 'sites', i], `site ${key.replace(':', ' ')} is listed twice`);
      siteKeys.add(key);
    }
  });
  return {
    name,
    netbios,
    fqdn: raw.fqdn === undefined || raw.fqdn === null ? null : hostName(r, raw.fqdn, [...path, 'fqdn']),
    domain: raw.domain === undefined || raw.domain === null ? null : hostName(r, raw.domain, [...path, 'domain']),
    iisVersion: r.optStr(raw.iisVersion, [...path, 'iisVersion']),
    tlsOffload: r.optBool(raw.tlsOffload, [...path, 'tlsOffload']),
    registry: raw.registry === undefined || raw.registry === null ? null : parseRegistry(r, raw.registry, [...path, 'registry']),
    appPools,
    sites,
    pos: r.pos(path),
  };
}

const INVENTORY_KEYS = ['browsersIncludePort', 'servers', 'farms', 'dns'] as const;
const FARM_KEYS = ['name', 'servers', 'tlsOffload'] as const;

/**
 * Validate the `inventory:` section of a config file. Every error is a UsageError `file:line: path: message`;
 * unknown keys are errors so typos cannot silently drop a fact.
 */
export function parseInventorySection(value: unknown, where: SectionSource): InventoryConfig {
  const r = new Reader(where);
  const base: Path = ['inventory'];
  if (value === undefined || value === null) return { browsersIncludePort: false, servers: [], farms: [], cnames: {} };
  const raw = r.map(value, base, INVENTORY_KEYS);
  const servers = r.list(raw.servers ?? [], [...base, 'servers']).map((s, i) => parseServer(r, s, [...base, 'servers', i]));
  const seen = new Set<string>();
  servers.forEach((server, i) => {
    for (const key of new Set([server.name.toLowerCase(), server.netbios?.toLowerCase()].filter((k): k is string => !!k))) {
      if (seen.has(key)) r.fail([...base, 'servers', i, 'name'], `server ${show(key)} is listed twice`);
      seen.add(key);
    }
  });
  const farms = r.list(raw.farms ?? [], [...base, 'farms']).map((f, i) => {
    const at: Path = [...base, 'farms', i];
    const farm = r.map(f, at, FARM_KEYS);
    const members = r.strList(farm.servers, [...at, 'servers']);
    if (members.length === 0) r.fail([...at, 'servers'], 'a farm needs at least one server');
    return {
      name: hostName(r, farm.name, [...at, 'name']),
      servers: members,
      tlsOffload: r.optBool(farm.tlsOffload, [...at, 'tlsOffload']) ?? false,
      pos: r.pos(at),
    };
  });
  const cnames: Record<string, string> = {};
  if (raw.dns !== undefined && raw.dns !== null) {
    const dns = r.map(raw.dns, [...base, 'dns'], ['cnames']);
    if (dns.cnames !== undefined && dns.cnames !== null) {
      const map = r.map(dns.cnames, [...base, 'dns', 'cnames'], Object.keys(dns.cnames as object));
      for (const [alias, target] of Object.entries(map)) {
        const at: Path = [...base, 'dns', 'cnames', alias];
        cnames[hostName(r, alias, at)] = hostName(r, target, at);
      }
    }
  }
  return {
    browsersIncludePort: r.optBool(raw.browsersIncludePort, [...base, 'browsersIncludePort']) ?? false,
    servers,
    farms,
    cnames,
  };
}

/** The `iis:` section: a list of paths, relative to the config file's folder. */
export function parseIisPathsSection(value: unknown, where: SectionSource): string[] {
  const r = new Reader(where);
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : r.strList(value, ['iis']);
  return list.map((path) => resolve(dirname(where.file), path));
}

