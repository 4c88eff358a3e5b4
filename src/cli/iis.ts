import { writeFile } from 'node:fs/promises';
import Table from 'cli-table3';
import { loadConfigFile } from '../config/file.js';
import { UsageError, oneLine } from '../errors.js';
import { loadInventory } from '../iis/index.js';
import type { AppPool, Application, Inventory, IisServer, Site } from '../model/iis.js';
import { jsonText } from '../report/escape.js';
import { IIS_FORMATS as FORMATS, type IisCliOptions } from './commands/iis.js';

type Format = (typeof FORMATS)[number];

/** Table cells hold values from config files: every piece is flattened to one printable line. */
const cell = (...lines: string[]): string => lines.filter((line) => line !== '').map(oneLine).join('\n');

function identityText(pool: AppPool | undefined, name: string): string {
  if (!pool) return name === '' ? '-' : '(pool not defined)';
  if (pool.identityType !== 'SpecificUser') return pool.identityType;
  if (!pool.userName) return 'SpecificUser (no userName)';
  return `${pool.userName} (${pool.identity?.scope ?? 'unknown'})`;
}

function appRow(server: IisServer, site: Site, app: Application | null): string[] {
  const pool = app ? server.appPools.find((p) => p.name.toLowerCase() === app.appPool.toLowerCase()) : undefined;
  const bindings = site.bindings.map((b) => `${b.protocol} ${b.raw}`);
  const base = [
    cell(server.name, server.fqdn ?? ''),
    cell(`${site.name} (${site.id})`),
    cell(...(bindings.length ? bindings : ['-'])),
  ];
  if (!app) return [...base, '-', '-', '-', '-', '-', '-', '-', '-'];
  const win = app.auth.windows;
  const anon = app.auth.anonymous;
  const epa = win.extendedProtection.tokenChecking === 'None' ? '' : `, EPA ${win.extendedProtection.tokenChecking}`;
  return [
    ...base,
    cell(app.locationOnly ? `${app.path} (folder)` : app.path),
    cell(app.appPool || '-'),
    cell(identityText(pool, app.appPool)),
    win.enabled ? `on${epa}` : 'off',
    win.useKernelMode ? 'on' : 'off',
    win.useAppPoolCredentials ? 'yes' : 'no',
    cell(win.providers.join(', ') || '(none)'),
    anon.enabled ? cell(`on (${anon.userName === '' ? 'pool identity' : anon.userName})`) : 'off',
  ];
}

/** The resolved model as an admin reads it: one row per application (or location-only folder). */
export function renderInventoryTable(inventory: Inventory): string {
  const table = new Table({
    head: ['Server', 'Site (id)', 'Bindings', 'App path', 'Pool', 'Identity', 'Windows auth', 'Kernel', 'AppPoolCreds', 'Providers', 'Anonymous'],
    style: { head: [], border: [] },
  });
  for (const server of inventory.servers) {
    if (server.sites.length === 0) table.push([cell(server.name, server.fqdn ?? ''), '(no sites)', '-', '-', '-', '-', '-', '-', '-', '-', '-']);
    for (const site of server.sites) {
      if (site.applications.length === 0) table.push(appRow(server, site, null));
      for (const app of site.applications) table.push(appRow(server, site, app));
    }
  }
  const lines = [table.toString()];
  for (const farm of inventory.farms) {
    lines.push(oneLine(`farm ${farm.name}: ${farm.servers.join(', ')}${farm.tlsOffload ? ' (TLS offload at the load balancer)' : ''}`));
  }
  for (const [alias, target] of Object.entries(inventory.cnames)) lines.push(oneLine(`cname ${alias} -> ${target}`));
  if (inventory.browsersIncludePort) lines.push('browsers include non-default ports in the SPN');
  if (inventory.warnings.length > 0) {
    lines.push(`${inventory.warnings.length} warning(s):`);
    for (const w of inventory.warnings) lines.push(`  ${oneLine(`${w.file}${w.line === null ? '' : `:${w.line}`}: ${w.message}`)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `spnaudit iis` (defined in commands/iis.ts, loaded only when it runs). */
export async function iisCommand(paths: string[], opts: IisCliOptions): Promise<void> {
  if (!FORMATS.includes(opts.format as Format)) {
    throw new UsageError(`--format must be ${FORMATS.join(' or ')}, not '${oneLine(opts.format)}'`);
  }
  const config = opts.config ? await loadConfigFile(opts.config) : null;
  const inventory = await loadInventory({ iisPaths: paths, config });
  if (inventory.servers.length === 0) {
    throw new UsageError('no IIS servers: give applicationHost.config paths, or a --config with iis: paths or inventory: servers');
  }
  const text = opts.format === 'json' ? jsonText(inventory) : renderInventoryTable(inventory);
  if (opts.output) {
    try {
      await writeFile(opts.output, text, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot write ${opts.output}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  } else {
    process.stdout.write(text);
  }
  if (opts.format === 'json' && inventory.warnings.length > 0) {
    process.stderr.write(`spnaudit: ${inventory.warnings.length} warning(s) while reading the IIS configuration; see "warnings" in the output\n`);
  }
  process.exitCode = 0;
}
