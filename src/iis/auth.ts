import { AUTH_SECTIONS, type AuthSectionName, type AuthSettings, type ExtendedProtection } from '../model/iis.js';
import type { SourcePos } from '../model/source.js';
import { parseBool, show } from './text.js';
import { childrenNamed, type XmlElement } from './xml.js';

const SECTION_NAMES = Object.keys(AUTH_SECTIONS) as AuthSectionName[];

export type OverrideMode = 'Allow' | 'Deny' | 'Inherit';

type CollectionOp = { kind: 'clear' } | { kind: 'add'; value: string } | { kind: 'remove'; value: string };

/** What one section element says, validated once; resolution folds these along the inheritance chain. */
interface SectionDelta {
  line: number;
  enabled?: boolean;
  // windowsAuthentication
  useKernelMode?: boolean;
  useAppPoolCredentials?: boolean;
  providers: CollectionOp[];
  tokenChecking?: ExtendedProtection['tokenChecking'];
  flags?: string[];
  spns: CollectionOp[];
  // anonymousAuthentication
  userName?: string;
}

/** One place authentication is configured: the root <system.webServer> or a <location path>. */
export interface AuthScope {
  /** Location path as written ('' for the root). */
  path: string;
  /** Lower-cased path segments: [] for the root, ['site'], ['site', 'app']. */
  segments: string[];
  line: number;
  overrideMode: OverrideMode;
  inheritInChildApplications: boolean;
  sections: Partial<Record<AuthSectionName, SectionDelta[]>>;
}

export interface Warn {
  (line: number | null, message: string): void;
}

export function splitLocationPath(path: string): string[] {
  const trimmed = path.trim().replace(/\\/g, '/');
  if (trimmed === '' || trimmed === '.') return [];
  return trimmed
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => segment.toLowerCase());
}

const TOKEN_CHECKING: readonly ExtendedProtection['tokenChecking'][] = ['None', 'Allow', 'Require'];
const EP_FLAGS: ReadonlyArray<[string, number]> = [
  ['Proxy', 1],
  ['NoServiceNameCheck', 2],
  ['AllowDotlessSpn', 4],
  ['ProxyCohosting', 32],
];

function readBool(element: XmlElement, attr: string, warn: Warn): boolean | undefined {
  const raw = element.attrs.get(attr);
  if (raw === undefined) return undefined;
  const value = parseBool(raw);
  if (value === null) warn(element.line, `<${element.name}> ${attr}=${show(raw)} is not true or false; ignored`);
  return value ?? undefined;
}

function readCollection(element: XmlElement | undefined, key: string, names: { add: string; remove: string; clear: string }, warn: Warn): CollectionOp[] {
  const ops: CollectionOp[] = [];
  for (const child of element?.children ?? []) {
    if (child.name === names.clear) ops.push({ kind: 'clear' });
    else if (child.name === names.add || child.name === names.remove) {
      const value = child.attrs.get(key)?.trim();
      if (!value) warn(child.line, `<${child.name}> without ${key}; ignored`);
      else ops.push({ kind: child.name === names.add ? 'add' : 'remove', value });
    }
  }
  return ops;
}

function readFlags(element: XmlElement, warn: Warn): string[] | undefined {
  const raw = element.attrs.get('flags');
  if (raw === undefined) return undefined;
  if (/^\s*\d+\s*$/.test(raw)) {
    const bits = Number(raw);
    return EP_FLAGS.filter(([, bit]) => (bits & bit) !== 0).map(([name]) => name);
  }
  const flags: string[] = [];
  for (const part of raw.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    if (part.toLowerCase() === 'none') continue;
    const known = EP_FLAGS.find(([name]) => name.toLowerCase() === part.toLowerCase());
    if (known) flags.push(known[0]);
    else warn(element.line, `extendedProtection flag ${show(part)} is unknown; ignored`);
  }
  return flags;
}

function readSection(name: AuthSectionName, element: XmlElement, warn: Warn): SectionDelta {
  const delta: SectionDelta = { line: element.line, providers: [], spns: [] };
  const enabled = readBool(element, 'enabled', warn);
  if (enabled !== undefined) delta.enabled = enabled;
  if (name === 'windows') {
    const kernel = readBool(element, 'useKernelMode', warn);
    if (kernel !== undefined) delta.useKernelMode = kernel;
    const appPoolCreds = readBool(element, 'useAppPoolCredentials', warn);
    if (appPoolCreds !== undefined) delta.useAppPoolCredentials = appPoolCreds;
    delta.providers = childrenNamed(element, 'providers').flatMap((providers) =>
      readCollection(providers, 'value', { add: 'add', remove: 'remove', clear: 'clear' }, warn),
    );
    for (const ep of childrenNamed(element, 'extendedProtection')) {
      const tokenRaw = ep.attrs.get('tokenChecking');
      if (tokenRaw !== undefined) {
        const byNumber = /^\s*[012]\s*$/.test(tokenRaw) ? TOKEN_CHECKING[Number(tokenRaw)] : undefined;
        const token = byNumber ?? TOKEN_CHECKING.find((t) => t.toLowerCase() === tokenRaw.trim().toLowerCase());
        if (token) delta.tokenChecking = token;
        else warn(ep.line, `extendedProtection tokenChecking=${show(tokenRaw)} is not None, Allow or Require; ignored`);
      }
      const flags = readFlags(ep, warn);
      if (flags) delta.flags = flags;
      delta.spns.push(...readCollection(ep, 'name', { add: 'spn', remove: 'removeSpn', clear: 'clearSpns' }, warn));
    }
  }
  if (name === 'anonymous') {
    const userName = element.attrs.get('userName');
    if (userName !== undefined) {
      if (userName.trim().startsWith('[enc:')) warn(element.line, 'anonymousAuthentication userName is encrypted; ignored');
      else delta.userName = userName.trim();
    }
  }
  return delta;
}

/**
 * Read the authentication sections under a <system.webServer> element (root or inside a <location>).
 * Encrypted sections (configProtectionProvider) are reported and skipped; their content is never read.
 */
export function readAuthSections(webServers: XmlElement[], warn: Warn): AuthScope['sections'] {
  const sections: AuthScope['sections'] = {};
  for (const webServer of webServers) {
    for (const security of childrenNamed(webServer, 'security')) {
      for (const authentication of childrenNamed(security, 'authentication')) {
        for (const name of SECTION_NAMES) {
          for (const element of childrenNamed(authentication, AUTH_SECTIONS[name])) {
            const provider = element.attrs.get('configProtectionProvider');
            if (provider !== undefined) {
              warn(element.line, `section ${AUTH_SECTIONS[name]} is encrypted (configProtectionProvider ${show(provider)}); not read, schema defaults apply`);
              continue;
            }
            (sections[name] ??= []).push(readSection(name, element, warn));
          }
        }
      }
    }
  }
  return sections;
}

function applyOps(list: string[], ops: CollectionOp[]): string[] {
  let out = list;
  for (const op of ops) {
    if (op.kind === 'clear') out = [];
    else if (op.kind === 'remove') out = out.filter((value) => value.toLowerCase() !== op.value.toLowerCase());
    else if (!out.some((value) => value.toLowerCase() === op.value.toLowerCase())) out = [...out, op.value];
  }
  return out;
}

export interface ResolveTarget {
  /** Lower-cased segments of the site name plus the URL path: ['intranet', 'app']. */
  segments: string[];
  /** Key of the application containing a path (for inheritInChildApplications=false). */
  applicationOf(segments: string[]): string;
}

/**
 * The scopes that apply to a target path, outermost first: every scope whose path is a segment prefix
 * of the target, in depth order and then document order; a scope with inheritInChildApplications=false
 * only applies inside its own application.
 */
export function scopeChain(scopes: AuthScope[], target: ResolveTarget): AuthScope[] {
  const targetApp = target.applicationOf(target.segments);
  return scopes
    .filter((scope) => scope.segments.every((segment, i) => target.segments[i] === segment) && scope.segments.length <= target.segments.length)
    .filter((scope) => scope.inheritInChildApplications || (scope.segments.length > 0 && target.applicationOf(scope.segments) === targetApp))
    .map((scope, order) => ({ scope, order }))
    .sort((a, b) => a.scope.segments.length - b.scope.segments.length || a.order - b.order)
    .map(({ scope }) => scope);
}

/**
 * Fold the chain into effective settings. Attributes are inherited one by one; collections (providers,
 * extendedProtection spns) start from the parent's list and apply <clear/>, <remove>, <add> in order.
 * Absent everywhere = the IIS schema default (iis-docs): windows enabled=false, useKernelMode=true,
 * useAppPoolCredentials=false, no providers, tokenChecking None; anonymous enabled=true userName IUSR;
 * basic, digest and both client certificate mappings enabled=false.
 */
export function resolveAuth(chain: AuthScope[], file: string, overrideDefaults: Record<AuthSectionName, OverrideMode>): AuthSettings {
  const pos = (line: number | null): SourcePos | null => (line === null ? null : { file, line });
  const deltas = (name: AuthSectionName): SectionDelta[] => chain.flatMap((scope) => scope.sections[name] ?? []);
  const last = <K extends keyof SectionDelta>(list: SectionDelta[], key: K, fallback: NonNullable<SectionDelta[K]>): NonNullable<SectionDelta[K]> => {
    let value = fallback;
    for (const delta of list) if (delta[key] !== undefined) value = delta[key] as NonNullable<SectionDelta[K]>;
    return value;
  };
  const lineOfLast = (list: SectionDelta[]): number | null => list.at(-1)?.line ?? null;

  const windows = deltas('windows');
  const anonymous = deltas('anonymous');
  const simple = (name: AuthSectionName) => {
    const list = deltas(name);
    return { enabled: last(list, 'enabled', false), pos: pos(lineOfLast(list)) };
  };
  const overridable = SECTION_NAMES.filter((name) => {
    let mode: OverrideMode = 'Inherit';
    for (const scope of chain) if (scope.sections[name] && scope.overrideMode !== 'Inherit') mode = scope.overrideMode;
    return (mode === 'Inherit' ? overrideDefaults[name] : mode) === 'Allow';
  });
  return {
    windows: {
      enabled: last(windows, 'enabled', false),
      useKernelMode: last(windows, 'useKernelMode', true),
      useAppPoolCredentials: last(windows, 'useAppPoolCredentials', false),
      providers: applyOps([], windows.flatMap((d) => d.providers)),
      extendedProtection: {
        tokenChecking: last(windows, 'tokenChecking', 'None'),
        flags: last(windows, 'flags', []),
        spns: applyOps([], windows.flatMap((d) => d.spns)),
      },
      pos: pos(lineOfLast(windows)),
    },
    anonymous: {
      enabled: last(anonymous, 'enabled', true),
      userName: last(anonymous, 'userName', 'IUSR'),
      pos: pos(lineOfLast(anonymous)),
    },
    basic: simple('basic'),
    digest: simple('digest'),
    clientCertificateMapping: simple('clientCertificateMapping'),
    iisClientCertificateMapping: simple('iisClientCertificateMapping'),
    overridable,
  };
}

/**
 * overrideModeDefault of each authentication section from <configSections>. IIS's own
 * applicationHost.config declares all of them Deny; that is also assumed when the declaration is absent.
 */
export function readOverrideDefaults(configSections: XmlElement[]): Record<AuthSectionName, OverrideMode> {
  const result = Object.fromEntries(SECTION_NAMES.map((name) => [name, 'Deny'])) as Record<AuthSectionName, OverrideMode>;
  const walk = (element: XmlElement, groupPath: string): void => {
    for (const child of element.children) {
      const childName = child.attrs.get('name') ?? '';
      if (child.name === 'sectionGroup') walk(child, groupPath ? `${groupPath}/${childName}` : childName);
      else if (child.name === 'section' && groupPath === 'system.webServer/security/authentication') {
        const name = SECTION_NAMES.find((n) => AUTH_SECTIONS[n] === childName);
        if (!name) continue;
        const mode = (child.attrs.get('overrideModeDefault') ?? 'Allow').trim().toLowerCase();
        result[name] = mode === 'deny' ? 'Deny' : 'Allow';
      }
    }
  };
  for (const element of configSections) walk(element, '');
  return result;
}

export function readOverrideMode(element: XmlElement, warn: Warn): OverrideMode {
  const mode = element.attrs.get('overrideMode');
  if (mode !== undefined) {
    const lower = mode.trim().toLowerCase();
    if (lower === 'allow') return 'Allow';
    if (lower === 'deny') return 'Deny';
    if (lower !== 'inherit') warn(element.line, `overrideMode=${show(mode)} is not Allow, Deny or Inherit; treated as Inherit`);
    return 'Inherit';
  }
  // allowOverride is the .NET-era spelling of the same switch.
  const allow = element.attrs.get('allowOverride');
  if (allow !== undefined) {
    const value = parseBool(allow);
    if (value === null) warn(element.line, `allowOverride=${show(allow)} is not true or false; ignored`);
    else return value ? 'Allow' : 'Deny';
  }
  return 'Inherit';
}
