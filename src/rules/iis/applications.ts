/**
 * Walks the inventory per application and groups the applications a rule flags, so one finding
 * covers every application that inherits the same setting from the same place (a site root and its
 * child applications usually do) instead of repeating it per application or per binding.
 */
import type { RuleContext } from '../../analyze/types.js';
import type { AppPool, Application, IisServer, Inventory, Site } from '../../model/iis.js';
import type { SourcePos } from '../../model/source.js';

export interface AppGroup {
  server: IisServer;
  site: Site;
  /** Applications sharing the flagged setting, root-most first (sorted by path). */
  applications: Application[];
  /** The group's first application: its path keys the fingerprint, its pool is the subject's. */
  representative: Application;
  pool: AppPool | null;
}

/** Sites that serve HTTP: authentication settings only matter where an http/https binding exists. */
export function httpSites(server: IisServer): Site[] {
  return server.sites.filter((s) => s.bindings.some((b) => b.isHttp));
}

export function poolOf(server: IisServer, application: Application): AppPool | null {
  const name = application.appPool.toLowerCase();
  return server.appPools.find((p) => p.name.toLowerCase() === name) ?? null;
}

export function posKey(pos: SourcePos | null | undefined): string {
  return pos ? `${pos.file}:${pos.line}` : '-';
}

export interface GroupSpec {
  /** Does this application have the problem? */
  flagged(server: IisServer, site: Site, application: Application): boolean;
  /**
   * Applications with equal keys are one finding: the source positions of the sections involved
   * plus the values the message depends on. A null position means the schema default, which every
   * application without an explicit setting shares.
   */
  key(server: IisServer, site: Site, application: Application): string;
}

function byPath(a: Application, b: Application): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Flagged applications of every HTTP site, grouped per site by `spec.key`, in inventory order. */
export function flaggedGroups(inventory: Inventory, spec: GroupSpec): AppGroup[] {
  const out: AppGroup[] = [];
  for (const server of inventory.servers) {
    for (const site of httpSites(server)) {
      const groups = new Map<string, Application[]>();
      for (const application of site.applications) {
        if (!spec.flagged(server, site, application)) continue;
        const key = spec.key(server, site, application);
        const list = groups.get(key) ?? [];
        list.push(application);
        groups.set(key, list);
      }
      for (const applications of groups.values()) {
        applications.sort(byPath);
        const representative = applications[0];
        if (!representative) continue;
        out.push({ server, site, applications, representative, pool: poolOf(server, representative) });
      }
    }
  }
  return out;
}

/** Convenience for rules: groups, or nothing when the audit has no IIS input. */
export function groupsFor(ctx: RuleContext, spec: GroupSpec): AppGroup[] {
  return ctx.inventory ? flaggedGroups(ctx.inventory, spec) : [];
}

function isBelow(child: string, parent: string): boolean {
  if (parent === '/' || parent === '') return child !== parent;
  return child.toLowerCase().startsWith(`${parent.toLowerCase().replace(/\/$/, '')}/`);
}

/**
 * The fewest applications whose settings cover the whole group: a setting made at an application
 * is inherited by the group members below it (members that override it would have a different
 * source position and so be in another group).
 */
export function topmost(applications: readonly Application[]): Application[] {
  return applications.filter((a) => !applications.some((b) => b !== a && isBelow(a.path, b.path)));
}

/** The subject's appPool: the pool the group's application names (also when no such pool is defined). */
export function appPoolOf(g: AppGroup): { appPool?: string } {
  const name = g.pool?.name ?? g.representative.appPool;
  return name ? { appPool: name } : {};
}
