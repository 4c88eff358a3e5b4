/**
 * Ticket sync settings from the `tickets:` section of the config file and the flags (flags win).
 * Every bad value is a one-line error naming `file:line` (config) or the flag.
 */
import path from 'node:path';
import type { LoadedConfig } from '../config/file.js';
import { UsageError, oneLine } from '../errors.js';
import type { Severity } from '../model/finding.js';
import { DEFAULT_MAX_NEW } from './engine.js';
import { GROUP_BY, PROVIDERS, type GroupBy, type ProviderName, type ReopenPolicy } from './types.js';

export type AuthScheme = 'token' | 'basic' | 'bearer';

export interface TicketFlags {
  provider?: string;
  dryRun?: boolean;
  maxNew?: string;
  groupBy?: string;
  url?: string;
  tokenEnv?: string;
  tokenFile?: string;
  user?: string;
  auth?: string;
  project?: string;
  fingerprintField?: string;
  caFile?: string;
  stateFile?: string;
  state?: boolean;
  reopen?: string;
  runLabel?: string;
}

export interface TicketSettings {
  provider: ProviderName;
  url: string;
  project: string | null;
  tokenEnv?: string;
  tokenFile?: string;
  user?: string;
  auth: AuthScheme;
  groupBy: GroupBy;
  maxNew: number;
  reopen: ReopenPolicy;
  /** null: no journal (`--no-state`). */
  stateFile: string | null;
  caFile?: string;
  timeoutSeconds: number;
  dryRun: boolean;
  runLabel?: string;
  /** Provider-specific keys, validated (see PROVIDER_KEYS). */
  options: Record<string, unknown>;
  /** Where each setting came from, for error messages: `file:line` or `--flag`. */
  origin: (key: string) => string;
}

const COMMON_KEYS = ['provider', 'url', 'project', 'tokenEnv', 'tokenFile', 'user', 'auth', 'groupBy', 'maxNew', 'reopen', 'stateFile', 'caFile', 'timeoutSeconds'] as const;

export const PROVIDER_KEYS: Record<ProviderName, readonly string[]> = {
  redmine: ['fingerprintField', 'tracker', 'closedStatus', 'reopenStatus', 'priorities', 'markup'],
  jira: ['deployment', 'issueType', 'closeTransition', 'reopenTransition', 'priorities', 'labels'],
  github: ['labels'],
  servicenow: ['table', 'closeState', 'closeCode', 'reopenState', 'impact', 'urgency', 'fields'],
  webhook: ['routingKeyEnv', 'signatureHeader', 'source'],
};

const FLAG_NAME: Record<string, string> = {
  provider: '--provider',
  url: '--url',
  project: '--project',
  tokenEnv: '--token-env',
  tokenFile: '--token-file',
  user: '--user',
  auth: '--auth',
  groupBy: '--group-by',
  maxNew: '--max-new',
  reopen: '--reopen',
  stateFile: '--state-file',
  caFile: '--ca-file',
  fingerprintField: '--fingerprint-field',
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Default journal file: per provider, next to the config file when there is one, else in the working directory. */
export function defaultStateFile(provider: ProviderName, config: LoadedConfig | null): string {
  const name = `spnaudit-tickets-${provider}.state.json`;
  return config ? path.join(path.dirname(config.file), name) : name;
}

export function resolveTicketSettings(flags: TicketFlags, config: LoadedConfig | null): TicketSettings {
  const section = config?.data.tickets;
  const where = (key: string | ReadonlyArray<string | number>): string => {
    const path = typeof key === 'string' ? ['tickets', key] : ['tickets', ...key];
    const line = config?.lineOf(path) ?? config?.lineOf(['tickets']) ?? null;
    return config ? `${config.file}${line ? `:${line}` : ''}` : 'config';
  };
  if (section !== undefined && !isObject(section)) throw new UsageError(`${where([])}: tickets must be a mapping (provider: ..., url: ...)`);
  const file: Record<string, unknown> = section ?? {};
  const origin = (key: string): string => {
    const flagValue = (flags as Record<string, unknown>)[key];
    if (flagValue !== undefined && FLAG_NAME[key]) return FLAG_NAME[key];
    return `${where(key)}: tickets.${key}`;
  };
  const fail = (key: string, message: string): never => {
    throw new UsageError(`${origin(key)}: ${message}`);
  };
  const str = (key: string): string | undefined => {
    const flagValue = (flags as Record<string, unknown>)[key];
    if (typeof flagValue === 'string') return flagValue;
    const v = file[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') fail(key, `must be a text value, not ${Array.isArray(v) ? 'a list' : typeof v}`);
    return String(v);
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T | undefined): T => {
    const v = str(key) ?? fallback;
    if (v === undefined) return fail(key, `is required: one of ${allowed.join(', ')}`);
    if (!(allowed as readonly string[]).includes(v)) return fail(key, `'${oneLine(v)}' is not one of ${allowed.join(', ')}`);
    return v as T;
  };
  const positiveInt = (key: string, fallback: number, min: number): number => {
    const v = str(key);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v.trim()) || Number(v) < min) return fail(key, `'${oneLine(v)}' must be a whole number >= ${min}`);
    return Number(v);
  };

  const provider = flags.provider !== undefined || file.provider !== undefined ? oneOf('provider', PROVIDERS, undefined) : fail('provider', `is required (--provider ${PROVIDERS.join('|')} or tickets.provider in the config)`);
  const allowed = new Set<string>([...COMMON_KEYS, ...PROVIDER_KEYS[provider]]);
  for (const key of Object.keys(file)) {
    if (!allowed.has(key)) {
      const elsewhere = PROVIDERS.filter((p) => PROVIDER_KEYS[p].includes(key));
      throw new UsageError(`${where(key)}: tickets.${key} ${elsewhere.length > 0 ? `is a ${elsewhere.join('/')} setting, not for ${provider}` : 'is not a known setting'}`);
    }
  }
  if (flags.fingerprintField !== undefined && provider !== 'redmine') throw new UsageError(`--fingerprint-field is for redmine (custom field); ${provider} keeps the key in ${provider === 'jira' ? 'a label' : provider === 'github' ? 'the body and a label' : provider === 'servicenow' ? 'correlation_id' : 'dedup_key'}`);

  const url = str('url') ?? fail('url', 'is required: the ticket system base URL');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('url', `'${oneLine(url)}' is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    fail('url', `'${oneLine(url)}' must be http:// or https:// (the LDAP server of live collection is --ldap-url here)`);
  }
  if (parsed.username || parsed.password) fail('url', 'must not contain credentials; use --token-env/--token-file and --user');
  const project = str('project') ?? null;
  if (project === null && provider !== 'webhook') fail('project', `is required for ${provider} (${provider === 'github' ? 'owner/repo' : provider === 'jira' ? 'the project key' : provider === 'redmine' ? 'the project identifier' : 'any label for the target, e.g. the assignment group'})`);
  if (provider === 'github' && project !== null && !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(project)) fail('project', `'${oneLine(project)}' must be owner/repo`);

  const options: Record<string, unknown> = {};
  for (const key of PROVIDER_KEYS[provider]) {
    const v = key === 'fingerprintField' && flags.fingerprintField !== undefined ? flags.fingerprintField : file[key];
    if (v !== undefined) options[key] = v;
  }
  validateOptions(provider, options, (key, message) => {
    throw new UsageError(`${key === 'fingerprintField' && flags.fingerprintField !== undefined ? '--fingerprint-field' : `${where(key)}: tickets.${key}`}: ${message}`);
  });

  const defaultAuth: AuthScheme = provider === 'redmine' ? 'token' : provider === 'servicenow' ? 'basic' : provider === 'jira' ? (str('user') ? 'basic' : 'bearer') : 'bearer';
  const auth = oneOf<AuthScheme>('auth', ['token', 'basic', 'bearer'], defaultAuth);
  if (auth === 'basic' && !str('user')) fail('auth', 'basic authentication needs --user (Jira Cloud: the account e-mail)');
  if (auth === 'token' && provider !== 'redmine') fail('auth', `'token' is Redmine's X-Redmine-API-Key; ${provider} takes basic or bearer`);

  // Paths in the config file are relative to it (as ldap.caFile is); flags are relative to the working directory.
  const filePath = (key: 'stateFile' | 'caFile'): string | undefined => {
    const v = str(key);
    if (v === undefined || flags[key] !== undefined || !config) return v;
    return path.resolve(path.dirname(config.file), v);
  };
  const noState = flags.state === false;
  const stateFile = noState ? null : (filePath('stateFile') ?? defaultStateFile(provider, config));
  if (noState && provider === 'webhook') throw new UsageError('--no-state is not possible with the webhook: the state file is its only memory of what it sent');
  const settings: TicketSettings = {
    provider,
    url,
    project,
    auth,
    groupBy: oneOf<GroupBy>('groupBy', GROUP_BY, 'finding'),
    maxNew: positiveInt('maxNew', DEFAULT_MAX_NEW, 0),
    reopen: oneOf<ReopenPolicy>('reopen', ['reopen', 'new'], 'reopen'),
    stateFile,
    timeoutSeconds: positiveInt('timeoutSeconds', 60, 1),
    dryRun: flags.dryRun ?? false,
    options,
    origin,
  };
  const tokenEnv = str('tokenEnv');
  const tokenFile = str('tokenFile');
  const user = str('user');
  const caFile = filePath('caFile');
  if (tokenEnv !== undefined) settings.tokenEnv = tokenEnv;
  if (tokenFile !== undefined) settings.tokenFile = tokenFile;
  if (user !== undefined) settings.user = user;
  if (caFile !== undefined) settings.caFile = caFile;
  if (flags.runLabel !== undefined) settings.runLabel = flags.runLabel;
  return settings;
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

function validateOptions(provider: ProviderName, o: Record<string, unknown>, fail: (key: string, message: string) => never): void {
  const text = (key: string) => {
    if (o[key] !== undefined && typeof o[key] !== 'string' && typeof o[key] !== 'number') fail(key, 'must be a text value');
    if (o[key] !== undefined) o[key] = String(o[key]);
  };
  const severityMap = (key: string) => {
    const v = o[key];
    // null: set none (e.g. a Jira project without the priority field).
    if (v === undefined || (v === null && key === 'priorities' && provider === 'jira')) return;
    if (!isObject(v)) return fail(key, 'must be a mapping error/warning/info → value');
    for (const k of Object.keys(v)) if (!(SEVERITIES as readonly string[]).includes(k)) fail(key, `'${oneLine(k)}' is not error, warning or info`);
    for (const s of SEVERITIES) {
      if (v[s] !== undefined && typeof v[s] !== 'string' && typeof v[s] !== 'number') fail(key, `${s} must be a text or number`);
    }
  };
  const textList = (key: string) => {
    const v = o[key];
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.trim() === '' || /[\s,]/.test(x)))) {
      fail(key, 'must be a list of labels without spaces or commas');
    }
  };
  switch (provider) {
    case 'redmine':
      for (const k of ['fingerprintField', 'tracker', 'closedStatus', 'reopenStatus']) text(k);
      severityMap('priorities');
      if (o.markup !== undefined && o.markup !== 'textile' && o.markup !== 'common_mark') fail('markup', "must be textile (Redmine's default) or common_mark");
      if (o.fingerprintField === undefined) fail('fingerprintField', 'is required for redmine: the string issue custom field (used as a filter) that holds the key, by name or id');
      return;
    case 'jira':
      for (const k of ['issueType', 'closeTransition', 'reopenTransition']) text(k);
      if (o.deployment !== undefined && o.deployment !== 'cloud' && o.deployment !== 'server') fail('deployment', 'must be cloud (REST v3, ADF) or server (Server/Data Center, REST v2)');
      severityMap('priorities');
      textList('labels');
      return;
    case 'github':
      textList('labels');
      return;
    case 'servicenow':
      for (const k of ['table', 'closeState', 'closeCode', 'reopenState']) text(k);
      severityMap('impact');
      severityMap('urgency');
      if (o.table !== undefined && !/^[a-z0-9_]+$/.test(String(o.table))) fail('table', 'must be a table name like incident');
      if (o.fields !== undefined && (!isObject(o.fields) || Object.values(o.fields).some((v) => typeof v !== 'string'))) fail('fields', 'must be a mapping of field name → text value');
      return;
    case 'webhook':
      for (const k of ['routingKeyEnv', 'signatureHeader', 'source']) text(k);
      if (o.signatureHeader !== undefined && !/^[A-Za-z0-9-]+$/.test(String(o.signatureHeader))) fail('signatureHeader', 'must be a header name');
      return;
  }
}
