import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';

export interface DiscoveredConfig {
  /** Server name from the layout: the folder name or the `<SERVER>.` file name prefix. */
  server: string;
  /** Absolute path of the applicationHost.config (or appcmd export). */
  file: string;
  /** server.json written by collect-iis.ps1 beside the config, when present. */
  serverJson: string | null;
}

const APPHOST = 'applicationhost.config';
const PREFIXED = /^(.+)\.applicationhost\.config$/i;

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

async function findFile(dir: string, lowerName: string): Promise<string | null> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const hit = entries.find((entry) => entry.toLowerCase() === lowerName);
  return hit === undefined ? null : join(dir, hit);
}

async function fromFile(file: string): Promise<DiscoveredConfig> {
  const base = basename(file);
  const dir = dirname(file);
  if (base.toLowerCase() === APPHOST) {
    return { server: basename(dir), file, serverJson: await findFile(dir, 'server.json') };
  }
  const prefixed = PREFIXED.exec(base);
  if (prefixed) {
    const server = prefixed[1] as string;
    return { server, file, serverJson: await findFile(dir, `${server.toLowerCase()}.server.json`) };
  }
  // Any other file name (an appcmd export, a renamed copy): the name without its extension.
  return { server: base.replace(/\.[^.]+$/, ''), file, serverJson: null };
}

async function fromDirectory(dir: string): Promise<DiscoveredConfig[]> {
  const direct = await findFile(dir, APPHOST);
  if (direct) return [await fromFile(direct)];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const found: DiscoveredConfig[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = await findFile(path, APPHOST);
      if (inner) found.push(await fromFile(inner));
    } else if (entry.isFile() && PREFIXED.test(entry.name)) {
      found.push(await fromFile(path));
    }
  }
  if (found.length === 0) {
    throw new UsageError(`${dir}: no applicationHost.config found (expected <SERVER>/applicationHost.config or <SERVER>.applicationHost.config)`);
  }
  return found;
}

/**
 * Expand --iis paths (files or folders) into one config per server. The same file reached twice is read
 * once; two different files for the same server name are an error.
 */
export async function discoverConfigs(paths: string[]): Promise<DiscoveredConfig[]> {
  const byServer = new Map<string, DiscoveredConfig>();
  const seenFiles = new Set<string>();
  for (const path of paths) {
    const info = await statOrNull(path);
    if (!info) throw new UsageError(`${path}: no such file or folder`);
    const found = info.isDirectory() ? await fromDirectory(path) : [await fromFile(path)];
    for (const config of found) {
      const real = await realpath(config.file);
      if (seenFiles.has(real)) continue;
      seenFiles.add(real);
      const key = config.server.toLowerCase();
      const other = byServer.get(key);
      if (other) throw new UsageError(`${config.file}: server ${config.server} already has a config file (${other.file})`);
      byServer.set(key, config);
    }
  }
  return [...byServer.values()];
}
