import { ntlmFallback, webEndpoints } from '../../analyze/endpoints.js';
import { makeFinding } from '../../analyze/findings.js';
import { manualFix } from '../../analyze/fixes.js';
import type { Rule } from '../../analyze/types.js';
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
    return findings;
  },
};
