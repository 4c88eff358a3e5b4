import { appLocation, ntlmFallback, webEndpoints } from '../../analyze/endpoints.js';
import { makeFinding } from '../../analyze/findings.js';
import { appcmdSet, manualFix } from '../../analyze/fixes.js';
import type { Rule, RuleContext } from '../../analyze/types.js';
import type { Finding, Fix } from '../../model/finding.js';
import { addSpnFix, endpointSubject, intendedDecryptor, uniqueBy } from './shared.js';

export const missingSpn: Rule = {
  id: 'missing-spn',
  severity: 'error',
  category: 'kerberos',
  title: 'No account holds the SPN browsers request for this site',
  why: 'The KDC answers KDC_ERR_S_PRINCIPAL_UNKNOWN, so the browser falls back to NTLM (no delegation, no double hop) or, with Kerberos-only providers, the user gets 401.',
  docs: 'docs/rules/missing-spn.md',
  needsInventory: true,
  check(ctx) {
    const candidates = webEndpoints(ctx).filter((e) => e.negotiates && e.match === 'missing' && e.cnameChain.length === 0);
    const findings: Finding[] = [];
    for (const e of uniqueBy(candidates, (x) => [x.server.name, x.site.name, x.expectedSpn.toLowerCase(), intendedDecryptor(ctx, x).name ?? ''].join('\u0000').toLowerCase())) {
      const intended = intendedDecryptor(ctx, e);
      const fixes: Fix[] = [];
      // Applications on this name that decrypt with different accounts cannot all get the SPN.
      const contenders = new Set(
        webEndpoints(ctx)
          .filter((x) => x.negotiates && x.forest === e.forest && x.expectedSpn.toLowerCase() === e.expectedSpn.toLowerCase())
          .map((x) => intendedDecryptor(ctx, x).name ?? '')
          .filter((n) => n !== ''),
      );
      if (contenders.size > 1) {
        fixes.push(
          manualFix(
            `${e.expectedSpn} is requested for applications that decrypt with different accounts (${[...contenders].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())).join(', ')}); only one can hold it: first make them agree (see host-shared-by-identities and farm-inconsistent-identity), then register it on that account.`,
          ),
        );
      } else if (intended.account) {
        fixes.push(
          addSpnFix(
            ctx,
            e.expectedSpn,
            intended.account,
            intended.afterUseAppPoolCredentials ? 'together with useAppPoolCredentials=True for this site (see kernel-mode-needs-app-pool-credentials)' : undefined,
          ),
        );
      } else {
        fixes.push(manualFix(`Register ${e.expectedSpn} on ${intended.name ?? 'the account that runs the site'} once that account exists in the directory (it is not in the snapshot).`));
      }
      const ntlm = ntlmFallback(e.windowsAuth);
      findings.push(
        makeFinding(missingSpn, {
          message: `Nobody in forest ${e.forest} holds ${e.expectedSpn} (nor HOST/${e.expectedSpn.slice(e.expectedSpn.indexOf('/') + 1)}), which browsers request for ${e.host} on ${e.server.name} site "${e.site.name}": ${
            ntlm ? 'they fall back to NTLM' : 'with Kerberos-only providers users get 401'
          }. ${intended.name && contenders.size <= 1 ? `${intended.name} must hold it.` : ''}`.trim(),
          subject: endpointSubject(ctx, e, intended.account),
          evidence: { decryptor: e.decryptor.name, decryptorReason: e.decryptor.reason, intendedDecryptor: intended.name, providers: e.windowsAuth.providers },
          fixes,
          key: [e.server.name, e.site.name, e.expectedSpn, intended.account?.objectGuid ?? intended.name],
          location: e.bindings[0]?.pos ?? null,
        }),
      );
    }
    findings.push(...noDecryptorFindings(ctx));
    return findings;
  },
};

const WINDOWS_AUTH = 'system.webServer/security/authentication/windowsAuthentication';

/**
 * Nobody holds the SPN and nobody could use it either: the pool runs as LocalService or a local
 * account without kernel-mode decryption, so Kerberos can never work for this site and users always
 * get NTLM. The fix makes HTTP.sys decrypt with the computer account, then registers the SPN there.
 */
function noDecryptorFindings(ctx: RuleContext): Finding[] {
  const candidates = webEndpoints(ctx).filter((e) => e.negotiates && e.match === 'no-decryptor' && e.resolution.via === 'none' && e.cnameChain.length === 0);
  return uniqueBy(candidates, (x) => [x.server.name, x.site.name, x.expectedSpn].join('\u0000').toLowerCase()).map((e) => {
    const location = appLocation(e.site, e.application);
    const w = e.windowsAuth;
    const fixes: Fix[] = [];
    if (!w.useKernelMode) fixes.push(appcmdSet(e.server.name, location, WINDOWS_AUTH, 'useKernelMode', 'True', 'False', { note: `run on ${e.server.name}; HTTP.sys then decrypts with the computer account` }));
    if (w.useAppPoolCredentials) fixes.push(appcmdSet(e.server.name, location, WINDOWS_AUTH, 'useAppPoolCredentials', 'False', 'True', { note: `run on ${e.server.name}; the pool identity cannot decrypt Kerberos tickets` }));
    if (e.computer) fixes.push(addSpnFix(ctx, e.expectedSpn, e.computer, 'the computer account decrypts for this site after the setting above'));
    fixes.push(manualFix(`Alternatively run the pool as ApplicationPoolIdentity or a domain account (preferably a gMSA) and register ${e.expectedSpn} on the account that then decrypts.`));
    return makeFinding(missingSpn, {
      message: `Nobody in forest ${e.forest} holds ${e.expectedSpn}, which browsers request for ${e.host} on ${e.server.name} site "${e.site.name}", and no account could decrypt it there: ${e.decryptor.reason}. ${
        ntlmFallback(w) ? 'Users always get NTLM.' : 'With Kerberos-only providers users get 401.'
      }`,
      subject: endpointSubject(ctx, e, null),
      evidence: { decryptor: null, decryptorReason: e.decryptor.reason, intendedDecryptor: e.computer ? ctx.displayName(e.computer) : null, providers: w.providers },
      fixes,
      key: [e.server.name, e.site.name, e.expectedSpn, 'no-decryptor'],
      location: e.bindings[0]?.pos ?? w.pos ?? null,
    });
  });
}
