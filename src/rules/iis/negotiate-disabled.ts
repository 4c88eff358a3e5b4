import { appLocation } from '../../analyze/endpoints.js';
import type { Rule, RuleMeta } from '../../analyze/types.js';
import type { WindowsAuth } from '../../model/iis.js';
import { describeApp, iisFinding, overridableIn } from './finding.js';
import { appPoolOf, groupsFor, posKey, topmost } from './applications.js';
import { appcmdProviders } from './provider-fix.js';

const NEGOTIATE = /^negotiate(:kerberos)?$/i;

/** IIS's own default provider list, used when the effective list is empty. */
const DEFAULT_PROVIDERS = ['Negotiate', 'NTLM'];

function lacksNegotiate(windows: WindowsAuth): boolean {
  return windows.enabled && !windows.providers.some((p) => NEGOTIATE.test(p.trim()));
}

/** Negotiate first (browsers answer the first scheme they support), the other providers kept in order. */
export function withNegotiateFirst(providers: readonly string[]): string[] {
  return providers.length === 0 ? [...DEFAULT_PROVIDERS] : ['Negotiate', ...providers];
}

const meta: RuleMeta = {
  id: 'negotiate-disabled',
  severity: 'error',
  category: 'iis',
  title: 'Windows authentication has no Negotiate provider',
  why:
    'Windows authentication is on but its providers list has no Negotiate (or Negotiate:Kerberos) entry, so IIS never offers ' +
    '"WWW-Authenticate: Negotiate": browsers always use NTLM, Kerberos is never attempted and delegation (double hop) fails.',
  docs: 'docs/rules/negotiate-disabled.md',
  needsInventory: true,
};

export const negotiateDisabled: Rule = {
  ...meta,
  check(ctx) {
    const groups = groupsFor(ctx, {
      flagged: (_server, _site, app) => lacksNegotiate(app.auth.windows),
      key: (_server, _site, app) => `${posKey(app.auth.windows.pos)}|${app.auth.windows.providers.join(',').toLowerCase()}`,
    });
    return groups.map((g) => {
      const windows = g.representative.auth.windows;
      const providers = windows.providers;
      const paths = g.applications.map((a) => a.path);
      const desired = withNegotiateFirst(providers);
      const listed = providers.length === 0 ? 'no providers at all' : `only ${providers.join(', ')}`;
      return iisFinding(meta, {
        server: g.server.name,
        site: g.site.name,
        path: g.representative.path,
        ...appPoolOf(g),
        message:
          `${describeApp(g.server.name, g.site.name, paths)}: Windows authentication is on with ${listed} as providers. ` +
          'Without Negotiate, IIS never offers Kerberos: browsers always fall back to NTLM and delegation to back ends fails.',
        evidence: { applications: paths, providers: [...providers], proposedProviders: desired },
        fixes: topmost(g.applications).map((app) =>
          appcmdProviders(g.server.name, appLocation(g.site, app), providers, desired, {
            note: `run on ${g.server.name}; afterwards "appcmd list config" for this location must list Negotiate first`,
          }),
        ),
        overridable: overridableIn(g.applications, ['windows']),
        location: windows.pos ?? g.representative.pos ?? g.site.pos,
      });
    });
  },
};
