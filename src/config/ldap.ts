/**
 * LDAP connection settings from flags and the config file's `ldap:` section (flags win).
 * Validation errors name the config file and line.
 */
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { LoadedConfig } from './file.js';

export interface LdapFlags {
  url?: string;
  bindDn?: string;
  passwordEnv?: string;
  passwordFile?: string;
  baseDn?: string;
  gc?: boolean;
  caFile?: string;
  starttls?: boolean;
  tlsInsecure?: boolean;
  tlsServerName?: string;
  pageSize?: string | number;
  timeout?: string | number;
  parallel?: string | number;
}

export interface LdapSettings {
  url: string;
  bindDn: string;
  passwordEnv?: string | undefined;
  passwordFile?: string | undefined;
  baseDn?: string | undefined;
  gc: boolean;
  caFile?: string | undefined;
  starttls: boolean;
  tlsInsecure: boolean;
  tlsServerName?: string | undefined;
  pageSize: number;
  timeoutSec: number;
  /** Connections to one DC a split search may use at once (--parallel). */
  parallel: number;
  /** --gc: DC URL per domain DNS name; default scheme://<domain dns name>. */
  domainControllers: Record<string, string>;
}

const KEYS: Record<string, 'string' | 'boolean' | 'number' | 'map'> = {
  url: 'string',
  bindDn: 'string',
  passwordEnv: 'string',
  passwordFile: 'string',
  baseDn: 'string',
  gc: 'boolean',
  caFile: 'string',
  starttls: 'boolean',
  tlsInsecure: 'boolean',
  tlsServerName: 'string',
  pageSize: 'number',
  timeout: 'number',
  parallel: 'number',
  domainControllers: 'map',
};

export const DEFAULT_PAGE_SIZE = 1000;
export const DEFAULT_TIMEOUT_SEC = 60;
/** Two connections: the SPN-holder search takes about half the time on a DC with spare cores, at a load any AD client may put on a DC. */
export const DEFAULT_PARALLEL = 2;
export const MAX_PARALLEL = 8;

export function resolveLdapSettings(flags: LdapFlags, config: LoadedConfig | null): LdapSettings {
  const fromFile: Record<string, unknown> = {};
  const section = config?.data.ldap;
  if (config && section !== undefined) {
    const at = (p: Array<string | number>) => `${config.file}:${config.lineOf(p) ?? 1}`;
    if (typeof section !== 'object' || section === null || Array.isArray(section)) throw new UsageError(`${at(['ldap'])}: 'ldap' must be a mapping`);
    for (const [key, value] of Object.entries(section)) {
      if (key === 'password') throw new UsageError(`${at(['ldap', key])}: passwords do not belong in the config file; use passwordEnv or passwordFile`);
      const type = KEYS[key];
      if (!type) throw new UsageError(`${at(['ldap', key])}: unknown key 'ldap.${key}' (known: ${Object.keys(KEYS).join(', ')})`);
      const ok =
        type === 'map'
          ? typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')
          : typeof value === type;
      if (!ok) throw new UsageError(`${at(['ldap', key])}: 'ldap.${key}' must be ${type === 'map' ? 'a mapping of domain: url' : `a ${type}`}`);
      // Relative paths in the config file are relative to the file, not to the working directory.
      fromFile[key] = (key === 'caFile' || key === 'passwordFile') && typeof value === 'string' ? path.resolve(path.dirname(config.file), value) : value;
    }
  }
  const pick = <K extends keyof LdapFlags>(k: K): LdapFlags[K] | undefined => (flags[k] !== undefined ? flags[k] : (fromFile[k] as LdapFlags[K]));
  const url = pick('url');
  const bindDn = pick('bindDn');
  if (!url) throw new UsageError('no LDAP server: give --url ldap[s]://host[:port] (or ldap.url in --config), or --snapshot FILE');
  if (!bindDn) throw new UsageError('no bind identity: give --bind-dn <dn|upn> (or ldap.bindDn in --config)');
  const pageSize = toInt(pick('pageSize') ?? DEFAULT_PAGE_SIZE, '--page-size');
  if (pageSize < 1 || pageSize > 1000) throw new UsageError(`--page-size must be 1..1000 (AD's MaxPageSize is 1000), got ${pageSize}`);
  const timeoutSec = toInt(pick('timeout') ?? DEFAULT_TIMEOUT_SEC, '--timeout');
  if (timeoutSec < 1 || timeoutSec > 3600) throw new UsageError(`--timeout must be 1..3600 seconds, got ${timeoutSec}`);
  const parallel = toInt(pick('parallel') ?? DEFAULT_PARALLEL, '--parallel');
  if (parallel < 1 || parallel > MAX_PARALLEL) throw new UsageError(`--parallel must be 1..${MAX_PARALLEL} connections, got ${parallel}`);
  // A password source from the flags replaces the file's, whichever kind it is.
  const flagSecret = flags.passwordEnv !== undefined || flags.passwordFile !== undefined;
  return {
    url,
    bindDn,
    passwordEnv: flagSecret ? flags.passwordEnv : (fromFile.passwordEnv as string | undefined),
    passwordFile: flagSecret ? flags.passwordFile : (fromFile.passwordFile as string | undefined),
    baseDn: pick('baseDn'),
    gc: pick('gc') ?? false,
    caFile: pick('caFile'),
    starttls: pick('starttls') ?? false,
    tlsInsecure: pick('tlsInsecure') ?? false,
    tlsServerName: pick('tlsServerName'),
    pageSize,
    timeoutSec,
    parallel,
    domainControllers: (fromFile.domainControllers as Record<string, string> | undefined) ?? {},
  };
}

function toInt(value: string | number, flag: string): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be a whole number, got '${value}'`);
  return n;
}
