import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { parseConfigText, type LoadedConfig } from '../config/file.js';
import { UsageError } from '../errors.js';
import type { IisServer, Inventory, InventoryWarning, RegistryFacts } from '../model/iis.js';
import { parseApplicationHostConfig } from './apphost.js';
import { discoverConfigs, type DiscoveredConfig } from './discover.js';
import { parseIisPathsSection, parseInventorySection, parseRegistry, Reader, type InventoryServerEntry } from './inventory-config.js';
import { show } from './text.js';
import { MAX_CONFIG_BYTES } from './xml.js';

/** Facts collect-iis.ps1 writes to server.json beside the exported applicationHost.config. */
export interface ServerFacts {
  netbios: string | null;
  fqdn: string | null;
  domain: string | null;
  iisVersion: string | null;
  registry: RegistryFacts | null;
}

const SERVER_JSON_KEYS = ['netbios', 'fqdn', 'domain', 'iisVersion', 'registry', 'collectedAt', 'collector'] as const;

/**
 * Decode a config file as XML does (XML 1.0 §4.3.3, appendix F): a byte order mark wins; UTF-16
 * without one is recognised by its first bytes; otherwise the encoding the XML declaration names,
 * else UTF-8. Bytes that are not valid in that encoding are an error naming the line, never a
 * silent U+FFFD inside an identity or host name.
 */
export function decodeText(buffer: Buffer, shown = 'input'): string {
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return strictDecode(buffer.subarray(2), 'utf-16le', shown);
  if (buffer[0] === 0xfe && buffer[1] === 0xff) return strictDecode(buffer.subarray(2), 'utf-16be', shown);
  if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) return strictDecode(buffer.subarray(3), 'utf-8', shown);
  if (buffer[0] === 0x3c && buffer[1] === 0x00 && buffer[2] === 0x3f && buffer[3] === 0x00) return strictDecode(buffer, 'utf-16le', shown);
  if (buffer[0] === 0x00 && buffer[1] === 0x3c && buffer[2] === 0x00 && buffer[3] === 0x3f) return strictDecode(buffer, 'utf-16be', shown);
  const declared = /^<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/.exec(buffer.subarray(0, 256).toString('latin1'))?.[1]?.toLowerCase();
  // A UTF-16 declaration on 8-bit bytes is a stale one (the file was re-saved): read it as UTF-8.
  if (!declared || declared === 'utf-8' || declared === 'utf8' || declared.startsWith('utf-16') || declared === 'unicode') {
    return strictDecode(buffer, 'utf-8', shown);
  }
  return strictDecode(buffer, declared, shown);
}

function strictDecode(bytes: Buffer, encoding: string, shown: string): string {
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new UsageError(`${shown}:1: the XML declaration names encoding ${show(encoding)}, which spnaudit cannot decode; save the file as UTF-8 or UTF-16`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    const lenient = new TextDecoder(encoding).decode(bytes);
    const line = lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD'))).split('\n').length;
    throw new UsageError(
      `${shown}:${line}: bytes that are not valid ${encoding.toUpperCase()}; save the file as UTF-8 or UTF-16, or declare its real encoding in <?xml version="1.0" encoding="..."?>`,
    );
  }
}

async function readBounded(file: string, shown: string): Promise<string> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw new UsageError(`${shown}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (size > MAX_CONFIG_BYTES) {
    throw new UsageError(`${shown}: file is ${Math.round(size / 1024 / 1024)} MB, more than the ${MAX_CONFIG_BYTES / 1024 / 1024} MB spnaudit reads`);
  }
  return decodeText(await readFile(file), shown);
}

export async function readServerJson(file: string, shown: string): Promise<ServerFacts> {
  const loaded = parseConfigText(await readBounded(file, shown), shown);
  const r = new Reader(loaded);
  const raw = r.map(loaded.data, [], SERVER_JSON_KEYS);
  const text = (key: 'netbios' | 'fqdn' | 'domain' | 'iisVersion') => r.optStr(raw[key], [key]);
  return {
    netbios: text('netbios')?.toUpperCase() ?? null,
    fqdn: text('fqdn')?.toLowerCase() ?? null,
    domain: text('domain')?.toLowerCase() ?? null,
    iisVersion: text('iisVersion'),
    registry: raw.registry === undefined || raw.registry === null ? null : parseRegistry(r, raw.registry, ['registry']),
  };
}

/** Paths in positions are shown relative to the working folder when below it, as findings print them. */
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/** The inventory file wins over server.json; a disagreement is worth a warning. */
function pick(
  field: string,
  fromInventory: string | null | undefined,
  fromServerJson: string | null | undefined,
  where: { entry: InventoryServerEntry | undefined; serverJson: string | null },
  warnings: InventoryWarning[],
): string | null {
  if (fromInventory != null && fromServerJson != null && fromInventory !== fromServerJson && where.entry) {
    warnings.push({
      file: where.entry.pos.file,
      line: where.entry.pos.line,
      message: `server ${show(where.entry.name)}: ${field} ${show(fromInventory)} differs from ${show(fromServerJson)} in ${where.serverJson}; the inventory value is used`,
    });
  }
  return fromInventory ?? fromServerJson ?? null;
}

function mergeRegistry(fromJson: RegistryFacts | null, fromInventory: RegistryFacts | null): RegistryFacts | null {
  if (!fromJson && !fromInventory) return null;
  return { ...fromJson, ...fromInventory };
}

async function serverFromConfig(
  found: DiscoveredConfig,
  entry: InventoryServerEntry | undefined,
  warnings: InventoryWarning[],
): Promise<IisServer> {
  const shown = displayPath(found.file);
  const jsonShown = found.serverJson ? displayPath(found.serverJson) : null;
  const facts = found.serverJson ? await readServerJson(found.serverJson, jsonShown as string) : null;
  if (entry && (entry.appPools !== null || entry.sites !== null)) {
    throw new UsageError(
      `${entry.pos.file}:${entry.pos.line}: server ${show(entry.name)} has an applicationHost.config (${shown}); hand-entered appPools/sites are only for servers without one`,
    );
  }
  const netbiosName = entry?.netbios ?? facts?.netbios ?? found.server.toUpperCase();
  const parsed = parseApplicationHostConfig(await readBounded(found.file, shown), shown, netbiosName);
  warnings.push(...parsed.warnings);
  const where = { entry, serverJson: jsonShown };
  return {
    name: entry?.name ?? found.server,
    netbiosName,
    fqdn: pick('fqdn', entry?.fqdn, facts?.fqdn, where, warnings),
    domain: pick('domain', entry?.domain, facts?.domain, where, warnings),
    iisVersion: pick('iisVersion', entry?.iisVersion, facts?.iisVersion, where, warnings),
    configFile: shown,
    registry: mergeRegistry(facts?.registry ?? null, entry?.registry ?? null),
    tlsOffload: entry?.tlsOffload ?? false,
    appPools: parsed.appPools,
    sites: parsed.sites,
  };
}

function serverFromInventory(entry: InventoryServerEntry, warnings: InventoryWarning[]): IisServer {
  if (entry.sites === null) {
    warnings.push({
      file: entry.pos.file,
      line: entry.pos.line,
      message: `server ${show(entry.name)} has no applicationHost.config among the given paths and no hand-entered sites`,
    });
  }
  return {
    name: entry.name,
    netbiosName: entry.netbios ?? entry.name.toUpperCase(),
    fqdn: entry.fqdn,
    domain: entry.domain,
    iisVersion: entry.iisVersion,
    configFile: null,
    registry: entry.registry,
    tlsOffload: entry.tlsOffload ?? false,
    appPools: entry.appPools ?? [],
    sites: entry.sites ?? [],
  };
}

/**
 * Build the whole IIS inventory: every applicationHost.config under `iisPaths` (from --iis) and the
 * config file's `iis:` list, server.json facts beside them, and the config file's `inventory:` section
 * (names, farms, DNS, registry facts, hand-entered servers). The inventory file wins over server.json.
 */
export async function loadInventory(opts: { iisPaths: string[]; config: LoadedConfig | null }): Promise<Inventory> {
  const { config } = opts;
  const inventory = config ? parseInventorySection(config.data.inventory, config) : parseInventorySection(undefined, { file: '', lineOf: () => null });
  const configPaths = config ? parseIisPathsSection(config.data.iis, config) : [];
  const discovered = await discoverConfigs([...opts.iisPaths.map((p) => resolve(p)), ...configPaths]);

  const entryFor = (name: string) =>
    inventory.servers.find((e) => e.name.toLowerCase() === name.toLowerCase() || e.netbios?.toLowerCase() === name.toLowerCase());
  const warnings: InventoryWarning[] = [];
  const servers: IisServer[] = [];
  const used = new Set<InventoryServerEntry>();
  for (const found of discovered) {
    const entry = entryFor(found.server);
    if (entry) {
      if (used.has(entry)) throw new UsageError(`${entry.pos.file}:${entry.pos.line}: server ${show(entry.name)} matches more than one config file`);
      used.add(entry);
    }
    servers.push(await serverFromConfig(found, entry, warnings));
  }
  for (const entry of inventory.servers) if (!used.has(entry)) servers.push(serverFromInventory(entry, warnings));

  const serverFor = (name: string) =>
    servers.find((s) => s.name.toLowerCase() === name.toLowerCase() || s.netbiosName.toLowerCase() === name.toLowerCase());
  const farms = inventory.farms.map((farm) => {
    const members: string[] = [];
    for (const member of farm.servers) {
      const server = serverFor(member);
      if (!server) {
        warnings.push({ file: farm.pos.file, line: farm.pos.line, message: `farm ${show(farm.name)} lists server ${show(member)}, which is neither in the inventory nor among the config files read` });
        members.push(member);
        continue;
      }
      if (farm.tlsOffload) server.tlsOffload = true;
      members.push(server.name);
    }
    return { name: farm.name, servers: members, tlsOffload: farm.tlsOffload };
  });

  servers.sort((a, b) => a.name.localeCompare(b.name));
  return { servers, farms, cnames: inventory.cnames, browsersIncludePort: inventory.browsersIncludePort, warnings };
}
