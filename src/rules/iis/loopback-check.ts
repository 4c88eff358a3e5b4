import { manualFix } from '../../analyze/fixes.js';
import type { Rule, RuleMeta } from '../../analyze/types.js';
import type { Finding } from '../../model/finding.js';
import type { Binding, IisServer, Site } from '../../model/iis.js';
import { iisFinding } from './finding.js';
import { httpSites } from './applications.js';

/** Host names we are willing to print inside a fix sentence. */
const SAFE_HOST = /^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u;

function machineNames(server: IisServer): Set<string> {
  const names = [server.name, server.netbiosName, server.fqdn ?? '', 'localhost'].map((n) => n.toLowerCase()).filter((n) => n !== '');
  return new Set(names);
}

/** Host headers of the site that the loopback check rejects for local Windows-auth requests, first binding first. */
export function namesOutsideLoopbackList(server: IisServer, site: Site): Array<{ host: string; binding: Binding }> {
  const allowed = machineNames(server);
  for (const name of server.registry?.backConnectionHostNames ?? []) allowed.add(name.trim().toLowerCase());
  const out: Array<{ host: string; binding: Binding }> = [];
  for (const binding of site.bindings) {
    const host = (binding.host ?? '').trim().toLowerCase();
    if (!binding.isHttp || host === '' || allowed.has(host) || out.some((o) => o.host === host)) continue;
    out.push({ host, binding });
  }
  return out;
}

const meta: RuleMeta = {
  id: 'loopback-check',
  severity: 'info',
  category: 'iis',
  title: 'Host names missing from BackConnectionHostNames (loopback check)',
  why:
    'Windows rejects integrated authentication to a host name that points back to the same machine unless the name is the ' +
    'machine name or is listed in BackConnectionHostNames: requests made on the server itself (monitoring, search crawl, ' +
    'health checks) get 401.1 and Security event 537 / 0xC000006D, while remote clients work (KB896861).',
  docs: 'docs/rules/loopback-check.md',
  needsInventory: true,
};

export const loopbackCheck: Rule = {
  ...meta,
  check(ctx) {
    const findings: Finding[] = [];
    for (const server of ctx.inventory?.servers ?? []) {
      const registry = server.registry;
      // Only with registry facts: without them the absence of the value means "not collected".
      if (!registry || registry.disableLoopbackCheck === true) continue;
      // One value per server, so one finding per server: every Windows-auth site's missing names.
      const missing: Array<{ host: string; site: string; binding: Binding }> = [];
      for (const site of httpSites(server)) {
        if (!site.applications.some((a) => a.auth.windows.enabled)) continue;
        for (const m of namesOutsideLoopbackList(server, site)) {
          if (!missing.some((x) => x.host === m.host)) missing.push({ ...m, site: site.name });
        }
      }
      if (missing.length === 0) continue;
      const hosts = missing.map((m) => m.host);
      const sites = [...new Set(missing.map((m) => m.site))];
      const printable = hosts.every((h) => SAFE_HOST.test(h));
      const names = printable ? hosts.join(', ') : "the host names listed in this finding's evidence";
      const one = hosts.length === 1;
      findings.push(
        iisFinding(meta, {
          server: server.name,
          message:
            `${server.name}: ${one ? 'host name' : 'host names'} ${hosts.join(', ')} (${sites.length === 1 ? 'site' : 'sites'} ${sites.map((s) => `"${s}"`).join(', ')}) ` +
            `${one ? 'is' : 'are'} not the machine name and not in BackConnectionHostNames, so Windows-authenticated ` +
            `requests made on ${server.name} itself to ${one ? 'it' : 'them'} fail with 401.1 (loopback check).`,
          evidence: {
            hosts: missing.map((m) => ({ host: m.host, site: m.site })),
            backConnectionHostNames: [...(registry.backConnectionHostNames ?? [])],
            disableLoopbackCheck: registry.disableLoopbackCheck ?? null,
          },
          fixes: [
            manualFix(
              `On ${server.name}, add ${names} to the REG_MULTI_SZ value BackConnectionHostNames under ` +
                'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\MSV1_0 (one name per line, keep the existing entries), ' +
                'then restart the IIS Admin service.',
              'KB896861 method 1; prefer it to DisableLoopbackCheck=1, which turns the protection off for every name',
            ),
          ],
          location: missing[0]?.binding.pos ?? null,
        }),
      );
    }
    return findings;
  },
};
