import { appLocation } from '../../analyze/endpoints.js';
import { appcmdSet } from '../../analyze/fixes.js';
import type { Rule, RuleMeta } from '../../analyze/types.js';
import { describeApp, iisFinding, overridableIn } from './finding.js';
import { appPoolOf, groupsFor, posKey, topmost } from './applications.js';

export const ANONYMOUS_AUTH_SECTION = 'system.webServer/security/authentication/anonymousAuthentication';

const meta: RuleMeta = {
  id: 'anonymous-with-windows-auth',
  severity: 'info',
  category: 'iis',
  title: 'Anonymous and Windows authentication both enabled',
  why:
    'With anonymous authentication on, IIS serves requests anonymously and only challenges (Negotiate/NTLM) when authorization ' +
    '(web.config <authorization>, NTFS ACLs) denies the anonymous user. Those rules are outside the audit input, so Kerberos may never be negotiated here.',
  docs: 'docs/rules/anonymous-with-windows-auth.md',
  needsInventory: true,
};

export const anonymousWithWindowsAuth: Rule = {
  ...meta,
  check(ctx) {
    const groups = groupsFor(ctx, {
      flagged: (_server, _site, app) => app.auth.anonymous.enabled && app.auth.windows.enabled,
      key: (_server, _site, app) => `${posKey(app.auth.anonymous.pos)}|${posKey(app.auth.windows.pos)}`,
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
          `${describeApp(g.server.name, g.site.name, paths)}: anonymous and Windows authentication are both enabled. ` +
          'Requests are served anonymously unless authorization rules deny anonymous users, so Windows authentication (and Kerberos) may never be used.',
        evidence: { applications: paths, anonymousUserName: auth.anonymous.userName },
        fixes: topmost(g.applications).map((app) =>
          appcmdSet(g.server.name, appLocation(g.site, app), ANONYMOUS_AUTH_SECTION, 'enabled', 'False', 'True', {
            note: `run on ${g.server.name} if every user of this path must sign in; skip it if authorization rules already deny anonymous users`,
          }),
        ),
        overridable: overridableIn(g.applications, ['anonymous', 'windows']),
        location: auth.anonymous.pos ?? auth.windows.pos ?? g.representative.pos ?? g.site.pos,
      });
    });
  },
};
