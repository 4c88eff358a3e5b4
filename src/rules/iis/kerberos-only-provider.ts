import { appLocation } from '../../analyze/endpoints.js';
import { manualFix } from '../../analyze/fixes.js';
import type { Rule, RuleMeta } from '../../analyze/types.js';
import type { WindowsAuth } from '../../model/iis.js';
import { describeApp, iisFinding, overridableIn } from './finding.js';
import { appPoolOf, groupsFor, posKey, topmost } from './applications.js';
import { appcmdProviders } from './provider-fix.js';

function kerberosOnly(windows: WindowsAuth): boolean {
  return windows.enabled && windows.providers.length > 0 && windows.providers.every((p) => /^negotiate:kerberos$/i.test(p.trim()));
}

const meta: RuleMeta = {
  id: 'kerberos-only-provider',
  severity: 'info',
  category: 'iis',
  title: 'Windows authentication offers Kerberos only (no NTLM fallback)',
  why:
    'The only provider is Negotiate:Kerberos. That is a valid hardening choice, but there is no NTLM fallback: every SPN defect ' +
    '(missing, duplicate, on the wrong account) for this site becomes a hard 401 instead of a silent NTLM logon.',
  docs: 'docs/rules/kerberos-only-provider.md',
  needsInventory: true,
};

export const kerberosOnlyProvider: Rule = {
  ...meta,
  check(ctx) {
    const groups = groupsFor(ctx, {
      flagged: (_server, _site, app) => kerberosOnly(app.auth.windows),
      key: (_server, _site, app) => posKey(app.auth.windows.pos),
    });
    return groups.map((g) => {
      const windows = g.representative.auth.windows;
      const paths = g.applications.map((a) => a.path);
      return iisFinding(meta, {
        server: g.server.name,
        site: g.site.name,
        path: g.representative.path,
        ...appPoolOf(g),
        message:
          `${describeApp(g.server.name, g.site.name, paths)}: the only Windows-auth provider is Negotiate:Kerberos. ` +
          'Clients that cannot get a valid ticket for this site get 401 with no NTLM fallback, so any SPN finding for its host names is an outage.',
        evidence: { applications: paths, providers: [...windows.providers] },
        fixes: [
          manualFix(
            `Keep Kerberos-only if it is intended, and fix every SPN finding for the host names of site "${g.site.name}" on ${g.server.name} first.`,
            'no NTLM fallback: SPN defects here are hard 401s',
          ),
          ...topmost(g.applications).map((app) =>
            appcmdProviders(g.server.name, appLocation(g.site, app), windows.providers, ['Negotiate', 'NTLM'], {
              note: `only if NTLM fallback is acceptable here: restores the IIS default providers (Negotiate, NTLM); run on ${g.server.name}`,
            }),
          ),
        ],
        overridable: overridableIn(g.applications, ['windows']),
        location: windows.pos ?? g.representative.pos ?? g.site.pos,
      });
    });
  },
};
