import { appLocation, webEndpoints } from '../../analyze/endpoints.js';
import { makeFinding } from '../../analyze/findings.js';
import { appcmdSet } from '../../analyze/fixes.js';
import type { Rule } from '../../analyze/types.js';
import type { Finding } from '../../model/finding.js';
import { classicKernelModeIdentity, WINDOWS_AUTH_SECTION } from './shared.js';

export const kernelModeNeedsAppPoolCredentials: Rule = {
  id: 'kernel-mode-needs-app-pool-credentials',
  severity: 'error',
  category: 'iis',
  title: 'Kernel-mode authentication decrypts with the computer key, but the SPN is on the pool identity',
  why: 'With useKernelMode on and useAppPoolCredentials off, HTTP.sys decrypts tickets with the computer account key; the SPN on the domain pool identity makes the KDC encrypt for that identity, so users get three prompts and 401.1 (KRB_AP_ERR_MODIFIED).',
  docs: 'docs/rules/kernel-mode-needs-app-pool-credentials.md',
  needsInventory: true,
  check(ctx) {
    const findings: Finding[] = [];
    const endpoints = webEndpoints(ctx).filter((e) => e.negotiates);
    const done = new Set<string>();
    for (const e of endpoints) {
      const appKey = [e.server.name, e.site.name, e.application.path].join('\u0000').toLowerCase();
      if (done.has(appKey)) continue;
      const identity = classicKernelModeIdentity(ctx, e);
      if (!identity) continue;
      done.add(appKey);
      const sameApp = endpoints.filter((x) => x.server === e.server && x.site === e.site && x.application === e.application);
      const held = sameApp
        .filter((x) => x.resolution.via === 'explicit' && x.resolution.holders.some((h) => h.account === identity))
        .map((x) => x.expectedSpn)
        .sort();
      const first = sameApp.find((x) => x.expectedSpn === held[0]) ?? e;
      const location = appLocation(e.site, e.application);
      const name = ctx.displayName(identity);
      findings.push(
        makeFinding(kernelModeNeedsAppPoolCredentials, {
          message: `${e.server.name} "${location}" uses kernel-mode authentication without useAppPoolCredentials, so tickets are decrypted with the key of ${e.decryptor.name ?? 'the computer account'}, but ${held.join(', ')} ${held.length === 1 ? 'is' : 'are'} registered on the pool identity ${name}: 401.1.`,
          subject: {
            account: name,
            accountGuid: identity.objectGuid,
            spn: first.expectedSpn,
            host: first.host,
            server: e.server.name,
            site: location,
            ...(e.appPool ? { appPool: e.appPool.name } : {}),
          },
          evidence: { useKernelMode: true, useAppPoolCredentials: false, spns: held, computerAccount: e.decryptor.name },
          fixes: [
            appcmdSet(e.server.name, location, WINDOWS_AUTH_SECTION, 'useAppPoolCredentials', 'True', 'False', {
              note: `run on ${e.server.name}; HTTP.sys then decrypts with ${name}'s key (recycle the pool afterwards)`,
            }),
          ],
          key: [identity.objectGuid, e.server.name, e.site.name, e.application.path],
          location: e.windowsAuth.pos ?? e.application.pos ?? null,
        }),
      );
    }
    return findings;
  },
};
