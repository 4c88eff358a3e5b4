import { appLocation } from '../../analyze/endpoints.js';
import { appcmdSet, manualFix } from '../../analyze/fixes.js';
import type { Rule, RuleMeta } from '../../analyze/types.js';
import { describeApp, iisFinding, overridableIn } from './finding.js';
import { appPoolOf, groupsFor, posKey, topmost } from './applications.js';
import { WINDOWS_AUTH_SECTION } from './provider-fix.js';

/** KB2749007's client-side workaround, a fixed string (no input in it). */
export const DISABLE_PREAUTH_CLIENT_FIX =
  'On the clients that pre-authenticate (Internet Explorer / IE mode, custom HTTP clients), set REG_DWORD DisableNTLMPreAuth=1 under ' +
  'HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings, e.g. by Group Policy Preferences or ' +
  'reg add "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings" /v DisableNTLMPreAuth /t REG_DWORD /d 1 /f';

const meta: RuleMeta = {
  id: 'kernel-mode-preauth',
  severity: 'info',
  category: 'iis',
  title: 'Kernel-mode authentication answers pre-authenticated first requests with 401.1',
  why:
    'With kernel-mode authentication on, a first request that already carries an Authorization header (Internet Explorer or IE mode ' +
    'pre-authentication, some custom clients) gets 401.1 (log "401 1 2148074254") and may prompt for credentials. By design (KB2749007); ' +
    'only the server half is visible in the configuration, so this is informational.',
  docs: 'docs/rules/kernel-mode-preauth.md',
  needsInventory: true,
};

export const kernelModePreauth: Rule = {
  ...meta,
  check(ctx) {
    const groups = groupsFor(ctx, {
      flagged: (_server, _site, app) => app.auth.windows.enabled && app.auth.windows.useKernelMode,
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
          `${describeApp(g.server.name, g.site.name, paths)}: kernel-mode authentication is on, so clients that send an Authorization header ` +
          'on their first request (IE / IE mode pre-authentication) get 401.1 and may see a credential prompt (KB2749007).',
        evidence: { applications: paths, useKernelMode: true, useAppPoolCredentials: windows.useAppPoolCredentials },
        fixes: [
          manualFix(DISABLE_PREAUTH_CLIENT_FIX, 'client-side workaround from KB2749007; keeps kernel mode'),
          ...topmost(g.applications).map((app) =>
            appcmdSet(g.server.name, appLocation(g.site, app), WINDOWS_AUTH_SECTION, 'useKernelMode', 'False', 'True', {
              note:
                `only if the client change is impossible; run on ${g.server.name}. The pool identity then decrypts Kerberos tickets, ` +
                'so its account must hold the site SPNs first (KB2749007 warns Kerberos and delegation may fail otherwise)',
            }),
          ),
        ],
        overridable: overridableIn(g.applications, ['windows']),
        location: windows.pos ?? g.representative.pos ?? g.site.pos,
      });
    });
  },
};
