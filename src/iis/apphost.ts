import { UsageError } from '../errors.js';
import type { AppPool, Application, Binding, IdentityType, InventoryWarning, Site } from '../model/iis.js';
import {
  readAuthSections,
  readOverrideDefaults,
  readOverrideMode,
  resolveAuth,
  scopeChain,
  splitLocationPath,
  type AuthScope,
  type Warn,
} from './auth.js';
import { parseBinding } from './binding.js';
import { parseIdentity, parseIdentityType } from './identity.js';
import { parseBool, show } from './text.js';
import { childrenNamed, parseXmlDocument, type XmlElement } from './xml.js';

export interface ParsedApplicationHost {
  appPools: AppPool[];
  sites: Site[];
  warnings: InventoryWarning[];
}

/** The parts of a config document spnaudit reads, whether it came as applicationHost.config or an appcmd /xml export. */
interface ConfigParts {
  appHost: XmlElement[];
  configSections: XmlElement[];
  scopes: Array<{ path: string; element: XmlElement; webServers: XmlElement[]; isRoot: boolean }>;
  /** <site> elements from `appcmd list site /config /xml`. */
  extraSites: XmlElement[];
  /** <add> pool elements from `appcmd list apppool /config /xml`. */
  extraPools: XmlElement[];
}

const APPHOST_PATH = 'machine/webroot/apphost';

function configParts(root: XmlElement, file: string, warn: Warn): ConfigParts {
  if (root.name === 'configuration') {
    const appHost = childrenNamed(root, 'system.applicationHost');
    if (appHost.length === 0) {
      throw new UsageError(
        `${file}:${root.line}: not an applicationHost.config: <configuration> has no <system.applicationHost> section (a web.config or machine.config?)`,
      );
    }
    return {
      appHost,
      configSections: childrenNamed(root, 'configSections'),
      scopes: [
        { path: '', element: root, webServers: childrenNamed(root, 'system.webServer'), isRoot: true },
        ...childrenNamed(root, 'location').map((location) => ({
          path: location.attrs.get('path') ?? '',
          element: location,
          webServers: childrenNamed(location, 'system.webServer'),
          isRoot: false,
        })),
      ],
      extraSites: [],
      extraPools: [],
    };
  }
  if (root.name === 'appcmd') {
    const parts: ConfigParts = { appHost: [], configSections: [], scopes: [], extraSites: [], extraPools: [] };
    for (const child of root.children) {
      if (child.name === 'SITE') parts.extraSites.push(...childrenNamed(child, 'site'));
      else if (child.name === 'APPPOOL') parts.extraPools.push(...childrenNamed(child, 'add'));
      else if (child.name === 'CONFIG') {
        const configPath = (child.attrs.get('path') ?? '').replace(/\\/g, '/');
        const lower = configPath.toLowerCase();
        if (lower !== APPHOST_PATH && !lower.startsWith(`${APPHOST_PATH}/`)) {
          warn(child.line, `appcmd CONFIG path ${show(configPath)} is not under MACHINE/WEBROOT/APPHOST; skipped`);
          continue;
        }
        const locationPath = configPath.slice(APPHOST_PATH.length).replace(/^\/+/, '');
        if (locationPath === '') parts.appHost.push(...childrenNamed(child, 'system.applicationHost'));
        parts.scopes.push({ path: locationPath, element: child, webServers: childrenNamed(child, 'system.webServer'), isRoot: locationPath === '' });
      }
    }
    if (parts.appHost.length + parts.scopes.length + parts.extraSites.length + parts.extraPools.length === 0) {
      throw new UsageError(`${file}:${root.line}: not an applicationHost.config: this appcmd export has no CONFIG, SITE or APPPOOL entries`);
    }
    return parts;
  }
  throw new UsageError(`${file}:${root.line}: not an applicationHost.config: the root element is <${root.name}>, expected <configuration>`);
}

function encrypted(element: XmlElement, warn: Warn): boolean {
  const provider = element.attrs.get('configProtectionProvider');
  if (provider === undefined) return false;
  warn(element.line, `section <${element.name}> is encrypted (configProtectionProvider ${show(provider)}); its content is not read`);
  return true;
}

/** Attributes of several elements layered in order: later ones win attribute by attribute. */
function layered(...elements: Array<XmlElement | undefined>): Map<string, string> {
  const merged = new Map<string, string>();
  for (const element of elements) for (const [key, value] of element?.attrs ?? []) merged.set(key, value);
  return merged;
}

function readPools(parts: ConfigParts, file: string, machineName: string, warn: Warn): AppPool[] {
  const sections = parts.appHost.flatMap((appHost) => childrenNamed(appHost, 'applicationPools')).filter((s) => !encrypted(s, warn));
  const defaults = sections.flatMap((s) => childrenNamed(s, 'applicationPoolDefaults'));
  const defaultProcessModels = defaults.flatMap((d) => childrenNamed(d, 'processModel'));
  const pools: AppPool[] = [];
  const seen = new Map<string, number>();
  for (const add of [...sections.flatMap((s) => childrenNamed(s, 'add')), ...parts.extraPools]) {
    const name = add.attrs.get('name')?.trim();
    if (!name) {
      warn(add.line, 'application pool <add> without a name; skipped');
      continue;
    }
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) {
      throw new UsageError(`${file}:${add.line}: application pool ${show(name)} is defined twice (first at line ${first}); IIS refuses such a file`);
    }
    seen.set(name.toLowerCase(), add.line);
    // Only the attributes below are read from processModel: password is never looked at, let alone kept.
    const processModel = layered(...defaultProcessModels, ...childrenNamed(add, 'processModel'));
    const typeRaw = processModel.get('identityType');
    let identityType: IdentityType = 'ApplicationPoolIdentity';
    if (typeRaw !== undefined) {
      const parsed = parseIdentityType(typeRaw);
      if (parsed) identityType = parsed;
      else warn(add.line, `application pool ${show(name)}: identityType ${show(typeRaw)} is unknown; assumed ApplicationPoolIdentity`);
    }
    let userName: string | null = null;
    let identity: AppPool['identity'] = null;
    if (identityType === 'SpecificUser') {
      const written = (processModel.get('userName') ?? '').trim();
      if (written === '') warn(add.line, `application pool ${show(name)}: identityType SpecificUser without a userName`);
      else if (written.startsWith('[enc:')) warn(add.line, `application pool ${show(name)}: userName is encrypted; identity unknown`);
      else {
        userName = written;
        const parsed = parseIdentity(written, machineName);
        identity = parsed?.identity ?? null;
        if (parsed?.note) warn(add.line, `application pool ${show(name)}: userName ${show(written)} ${parsed.note}`);
      }
    }
    pools.push({ name, identityType, userName, identity, pos: { file, line: add.line } });
  }
  return pools;
}

/** '/', '/app', '/app/child': leading slash, no trailing or doubled slashes, backslashes read as slashes. */
export function normalizeAppPath(path: string): string {
  const segments = path.replace(/\\/g, '/').split('/').filter((s) => s !== '');
  return `/${segments.join('/')}`;
}

function readBindings(site: XmlElement, siteName: string, file: string, warn: Warn): Binding[] {
  let bindings: Binding[] = [];
  for (const container of childrenNamed(site, 'bindings')) {
    for (const element of container.children) {
      if (element.name === 'clear') {
        bindings = [];
        continue;
      }
      if (element.name !== 'binding') continue;
      const protocol = element.attrs.get('protocol')?.trim();
      const info = element.attrs.get('bindingInformation');
      if (!protocol) {
        warn(element.line, `site ${show(siteName)}: <binding> without protocol; skipped`);
        continue;
      }
      const parsed = parseBinding(protocol, info ?? '', { file, line: element.line });
      if (!parsed.ok) {
        warn(element.line, `site ${show(siteName)}: ${protocol} binding ${show(info ?? '')} does not parse (${parsed.reason}); skipped`);
        continue;
      }
      bindings.push(parsed.binding);
    }
  }
  return bindings;
}

/**
 * Parse one applicationHost.config (or an `appcmd list config /xml` export) into pools and sites with
 * authentication resolved per application. `serverName` is the machine's NetBIOS name, used to tell
 * `MACHINE\user` (local) from `DOMAIN\user`. Throws UsageError `file:line: …` for input that cannot be
 * meaningfully read; everything else is a warning with the element skipped or defaulted.
 */
export function parseApplicationHostConfig(xml: string, file: string, serverName: string): ParsedApplicationHost {
  const warnings: InventoryWarning[] = [];
  const warn: Warn = (line, message) => warnings.push({ file, line, message });
  const root = parseXmlDocument(xml, file);
  const parts = configParts(root, file, warn);
  const overrideDefaults = readOverrideDefaults(parts.configSections);
  const scopes: AuthScope[] = parts.scopes.map((scope) => ({
    path: scope.path,
    segments: splitLocationPath(scope.path),
    // The root <system.webServer> may sit after a <location path="">: same depth, so file order decides.
    line: scope.isRoot ? (scope.webServers[0]?.line ?? scope.element.line) : scope.element.line,
    overrideMode: scope.isRoot ? 'Inherit' : readOverrideMode(scope.element, warn),
    inheritInChildApplications: parseBool(scope.element.attrs.get('inheritInChildApplications') ?? 'true') !== false,
    sections: readAuthSections(scope.webServers, warn),
  }));
  scopes.sort((a, b) => a.line - b.line);

  const appPools = readPools(parts, file, serverName, warn);
  const poolNames = new Set(appPools.map((pool) => pool.name.toLowerCase()));
  const siteSections = parts.appHost.flatMap((appHost) => childrenNamed(appHost, 'sites')).filter((s) => !encrypted(s, warn));
  const globalAppDefaults = siteSections.flatMap((s) => childrenNamed(s, 'applicationDefaults'));

  const sites: Site[] = [];
  const siteByName = new Map<string, Site>();
  const siteIds = new Map<number, Site>();
  for (const element of [...siteSections.flatMap((s) => childrenNamed(s, 'site')), ...parts.extraSites]) {
    const name = element.attrs.get('name')?.trim();
    if (!name) {
      warn(element.line, '<site> without a name; skipped');
      continue;
    }
    const earlier = siteByName.get(name.toLowerCase());
    if (earlier) {
      throw new UsageError(`${file}:${element.line}: site ${show(name)} is defined twice (first at line ${earlier.pos?.line}); IIS refuses such a file`);
    }
    const idText = element.attrs.get('id')?.trim() ?? '';
    let id = 0;
    if (/^\d{1,10}$/.test(idText) && Number(idText) > 0) id = Number(idText);
    else warn(element.line, `site ${show(name)}: id ${show(idText)} is not a positive number; modeled as id 0`);
    const sameId = id > 0 ? siteIds.get(id) : undefined;
    if (sameId) {
      warn(element.line, `site ${show(name)} has id ${id}, already used by site ${show(sameId.name)} (line ${sameId.pos?.line}); IIS needs unique ids, both sites are modeled`);
    }

    const appDefaults = layered(...globalAppDefaults, ...childrenNamed(element, 'applicationDefaults'));
    const applications: Array<Omit<Application, 'auth'>> = [];
    for (const app of childrenNamed(element, 'application')) {
      const pathRaw = app.attrs.get('path');
      if (pathRaw === undefined || pathRaw.trim() === '') {
        warn(app.line, `site ${show(name)}: <application> without a path; skipped`);
        continue;
      }
      const path = normalizeAppPath(pathRaw);
      const duplicate = applications.find((a) => a.path.toLowerCase() === path.toLowerCase());
      if (duplicate) {
        throw new UsageError(`${file}:${app.line}: site ${show(name)} defines application ${show(path)} twice (first at line ${duplicate.pos?.line}); IIS refuses such a file`);
      }
      const appPool = (app.attrs.get('applicationPool') ?? appDefaults.get('applicationPool') ?? '').trim();
      if (appPool === '') warn(app.line, `site ${show(name)} application ${show(path)}: no applicationPool (and none in applicationDefaults)`);
      else if (!poolNames.has(appPool.toLowerCase())) {
        warn(app.line, `site ${show(name)} application ${show(path)} uses application pool ${show(appPool)}, which is not defined in <applicationPools>`);
      }
      applications.push({ path, appPool, pos: { file, line: app.line } });
    }
    if (!applications.some((a) => a.path === '/')) warn(element.line, `site ${show(name)} has no root application '/'`);

    const siteSegments = [name.toLowerCase()];
    const appKeys = applications.map((a) => [...siteSegments, ...splitLocationPath(a.path)]);
    const applicationOf = (segments: string[]): string => {
      let best: string[] = siteSegments;
      for (const key of appKeys) {
        if (key.length > best.length && key.length <= segments.length && key.every((s, i) => segments[i] === s)) best = key;
      }
      return best.join('/');
    };
    const resolve = (segments: string[]) => resolveAuth(scopeChain(scopes, { segments, applicationOf }), file, overrideDefaults);
    const resolved: Application[] = applications.map((a) => ({ ...a, auth: resolve([...siteSegments, ...splitLocationPath(a.path)]) }));

    // A <location> below an application (a folder or virtual directory) with its own authentication.
    for (const scope of scopes) {
      if (scope.segments.length < 2 || scope.segments[0] !== siteSegments[0] || Object.keys(scope.sections).length === 0) continue;
      if (appKeys.some((key) => key.join('/') === scope.segments.join('/'))) continue;
      const written = scope.path.trim().replace(/\\/g, '/').split('/').filter((s) => s !== '').slice(1);
      const container = applicationOf(scope.segments);
      const owner = resolved.find((a) => [...siteSegments, ...splitLocationPath(a.path)].join('/') === container);
      resolved.push({
        path: normalizeAppPath(written.join('/')),
        appPool: owner?.appPool ?? '',
        auth: resolve(scope.segments),
        pos: { file, line: scope.line },
        locationOnly: true,
      });
    }

    const site: Site = { id, name, bindings: readBindings(element, name, file, warn), applications: resolved, pos: { file, line: element.line } };
    sites.push(site);
    siteByName.set(name.toLowerCase(), site);
    if (id > 0 && !sameId) siteIds.set(id, site);
  }

  for (const scope of scopes) {
    const siteSegment = scope.segments[0];
    if (siteSegment !== undefined && !siteByName.has(siteSegment) && Object.keys(scope.sections).length > 0) {
      warn(scope.line, `<location path=${show(scope.path)}> names no site in this file; its authentication settings are not applied`);
    }
  }
  // Reported in file order, which is how an admin walks through them.
  warnings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { appPools, sites, warnings };
}
