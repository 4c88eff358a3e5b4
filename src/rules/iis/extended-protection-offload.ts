import { appLocation } from '../../analyze/endpoints.js';
import { appcmdSet, manualFix } from '../../analyze/fixes.js';
import type { Rule, RuleMeta } from '../../analyze/types.js';
import type { Fix } from '../../model/finding.js';
import type { ExtendedProtection, Inventory, IisServer, Site, WindowsAuth } from '../../model/iis.js';
import { describeApp, iisFinding, overridableIn } from './finding.js';
import { appPoolOf, groupsFor, posKey, topmost } from './applications.js';
import { WINDOWS_AUTH_SECTION, appcmdExtendedProtectionSpns } from './provider-fix.js';

const hasFlag = (ep: ExtendedProtection, flag: string): boolean => ep.flags.some((f) => f.trim().toLowerCase() === flag.toLowerCase());

/**
 * Is TLS terminated in front of this site, and for which names: the farm names bound on the site
 * when their farm offloads TLS, else every host name of the site when the server itself is marked.
 */
export function offloadedNames(inventory: Inventory, server: IisServer, site: Site): { offloaded: boolean; names: string[] } {
  const hosts = [...new Set(site.bindings.filter((b) => b.isHttp).map((b) => (b.host ?? '').trim().toLowerCase()).filter((h) => h !== ''))];
  const farmNames = inventory.farms.filter((f) => f.tlsOffload).map((f) => f.name.trim().toLowerCase());
  const viaFarm = hosts.filter((h) => farmNames.includes(h));
  if (viaFarm.length > 0) return { offloaded: true, names: viaFarm };
  // A server marked as offloaded (also set for every member of an offloading farm) without a farm
  // name on this site: every name of the site may come through the offloader.
  return server.tlsOffload ? { offloaded: true, names: hosts } : { offloaded: false, names: [] };
}

/** What is missing for the SSL-offload scenario (iis-docs extendedProtection: flags Proxy, SPN checking). */
function defects(windows: WindowsAuth): { proxyMissing: boolean; spnsMissing: boolean } {
  const ep = windows.extendedProtection;
  return {
    proxyMissing: !hasFlag(ep, 'Proxy'),
    // NoServiceNameCheck turns SPN checking off, so no list is needed then.
    spnsMissing: ep.spns.length === 0 && !hasFlag(ep, 'NoServiceNameCheck'),
  };
}

const meta: RuleMeta = {
  id: 'extended-protection-offload',
  severity: 'error',
  category: 'iis',
  title: 'Extended Protection required behind TLS offload without the Proxy flag or SPN list',
  why:
    'extendedProtection tokenChecking="Require" checks the TLS channel-binding token. Behind a load balancer that terminates TLS the ' +
    'server never sees the client\'s TLS channel, so the check fails and Windows authentication answers 401. The SSL-offload scenario ' +
    'needs flags="Proxy" and an <spn> list with the names clients use, so the service binding (SPN) is checked instead.',
  docs: 'docs/rules/extended-protection-offload.md',
  needsInventory: true,
};

export const extendedProtectionOffload: Rule = {
  ...meta,
  check(ctx) {
    const inventory = ctx.inventory;
    if (!inventory) return [];
    const groups = groupsFor(ctx, {
      flagged: (server, site, app) => {
        const windows = app.auth.windows;
        if (!windows.enabled || windows.extendedProtection.tokenChecking !== 'Require') return false;
        const d = defects(windows);
        return (d.proxyMissing || d.spnsMissing) && offloadedNames(inventory, server, site).offloaded;
      },
      key: (_server, _site, app) => {
        const ep = app.auth.windows.extendedProtection;
        return `${posKey(app.auth.windows.pos)}|${ep.flags.join(',').toLowerCase()}|${ep.spns.join(',').toLowerCase()}`;
      },
    });
    return groups.map((g) => {
      const windows = g.representative.auth.windows;
      const ep = windows.extendedProtection;
      const { proxyMissing, spnsMissing } = defects(windows);
      const { names } = offloadedNames(inventory, g.server, g.site);
      const paths = g.applications.map((a) => a.path);
      // Dotless names would also need AllowDotlessSpn, which the docs call insecure: list FQDNs only.
      const spns = names.filter((n) => n.includes('.')).map((n) => `HTTP/${n}`);
      const missing = [proxyMissing ? 'the Proxy flag' : null, spnsMissing ? 'an SPN list' : null].filter((x) => x !== null).join(' and ');
      const viaFarm = inventory.farms.some((f) => f.tlsOffload && names.includes(f.name.trim().toLowerCase()));
      const behind = viaFarm ? `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} load-balanced with TLS offload` : `${g.server.name} is behind TLS offload`;

      const fixes: Fix[] = [];
      for (const app of topmost(g.applications)) {
        const location = appLocation(g.site, app);
        if (proxyMissing) {
          const flags = [...ep.flags.filter((f) => f.trim() !== '' && f.trim().toLowerCase() !== 'none'), 'Proxy'];
          fixes.push(
            appcmdSet(g.server.name, location, WINDOWS_AUTH_SECTION, 'extendedProtection.flags', flags.join(','), ep.flags.join(',') || 'None', {
              note: `run on ${g.server.name}`,
            }),
          );
        }
        if (spnsMissing) {
          fixes.push(
            spns.length > 0
              ? appcmdExtendedProtectionSpns(g.server.name, location, ep.spns, spns, { note: `run on ${g.server.name}; the names clients use through the load balancer` })
              : manualFix(
                  `Add <spn name="HTTP/<name clients use>"/> under extendedProtection for "${location}" on ${g.server.name}, with the fully qualified name clients type.`,
                  'no fully qualified host name is bound on this site',
                ),
          );
        }
      }
      return iisFinding(meta, {
        server: g.server.name,
        site: g.site.name,
        path: g.representative.path,
        ...appPoolOf(g),
        message:
          `${describeApp(g.server.name, g.site.name, paths)}: Extended Protection is required (tokenChecking="Require") but ${behind}, ` +
          `and the configuration lacks ${missing}. The channel-binding check fails behind the offloader, so Windows authentication answers 401.`,
        evidence: {
          applications: paths,
          tokenChecking: ep.tokenChecking,
          flags: [...ep.flags],
          spns: [...ep.spns],
          offloadedNames: names,
          serverTlsOffload: g.server.tlsOffload,
        },
        fixes,
        overridable: overridableIn(g.applications, ['windows']),
        location: windows.pos ?? g.representative.pos ?? g.site.pos,
      });
    });
  },
};
