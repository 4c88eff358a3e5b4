import { appLocation } from '../../analyze/endpoints.js';
import { appcmdSet } from '../../analyze/fixes.js';
import type { Rule, RuleMeta } from '../../analyze/types.js';
import type { AuthSettings } from '../../model/iis.js';
import type { SourcePos } from '../../model/source.js';
import { describeApp, iisFinding, overridableIn } from './finding.js';
import { appPoolOf, groupsFor, posKey, topmost } from './applications.js';
import { WINDOWS_AUTH_SECTION } from './provider-fix.js';

/** Every authentication section IIS has; the names are the applicationHost.config element names. */
const METHODS = [
  'anonymousAuthentication',
  'windowsAuthentication',
  'basicAuthentication',
  'digestAuthentication',
  'clientCertificateMappingAuthentication',
  'iisClientCertificateMappingAuthentication',
] as const;

interface MethodState {
  name: (typeof METHODS)[number];
  enabled: boolean;
  pos: SourcePos | null;
}

function sections(auth: AuthSettings): MethodState[] {
  const parts = [auth.anonymous, auth.windows, auth.basic, auth.digest, auth.clientCertificateMapping, auth.iisClientCertificateMapping];
  return METHODS.map((name, i) => ({ name, enabled: parts[i]?.enabled ?? false, pos: parts[i]?.pos ?? null }));
}

const meta: RuleMeta = {
  id: 'no-authentication-enabled',
  severity: 'error',
  category: 'iis',
  title: 'No authentication method enabled',
  why:
    'Every IIS authentication method (anonymous, Windows, basic, digest, client-certificate mapping) is off for a site or application, ' +
    'so IIS cannot authenticate any request and answers 401.2 "Unauthorized: Logon failed due to server configuration".',
  docs: 'docs/rules/no-authentication-enabled.md',
  needsInventory: true,
};

export const noAuthenticationEnabled: Rule = {
  ...meta,
  check(ctx) {
    const groups = groupsFor(ctx, {
      flagged: (_server, _site, app) => sections(app.auth).every((s) => !s.enabled),
      key: (_server, _site, app) => sections(app.auth).map((s) => posKey(s.pos)).join('|'),
    });
    return groups.map((g) => {
      const auth = g.representative.auth;
      const paths = g.applications.map((a) => a.path);
      return iisFinding(meta, {
        server: g.server.name,
        site: g.site.name,
        path: g.representative.path,
        ...appPoolOf(g),
        message:
          `${describeApp(g.server.name, g.site.name, paths)}: every authentication method is disabled, ` +
          'so IIS rejects every request with 401.2 (logon failed due to server configuration).',
        evidence: { applications: paths, disabled: [...METHODS] },
        fixes: topmost(g.applications).map((app) =>
          appcmdSet(g.server.name, appLocation(g.site, app), WINDOWS_AUTH_SECTION, 'enabled', 'True', 'False', {
            note: `run on ${g.server.name}; enables Windows authentication (enable anonymous authentication instead if the content is public)`,
          }),
        ),
        overridable: overridableIn(g.applications, ['anonymous', 'windows', 'basic', 'digest', 'clientCertificateMapping', 'iisClientCertificateMapping']),
        location: auth.windows.pos ?? auth.anonymous.pos ?? g.representative.pos ?? g.site.pos,
      });
    });
  },
};
