import { appLocation, webEndpoints } from '../../analyze/endpoints.js';
import { makeFinding } from '../../analyze/findings.js';
import { manualFix } from '../../analyze/fixes.js';
import { formatSpn } from '../../analyze/spn.js';
import type { Rule } from '../../analyze/types.js';
import type { Finding, Fix } from '../../model/finding.js';
import { addSpnFix, endpointKey, endpointSubject, intendedDecryptor, uniqueBy } from './shared.js';

export const cnameBinding: Rule = {
  id: 'cname-binding',
  severity: 'error',
  category: 'kerberos',
  title: 'Site reached through a DNS CNAME whose canonical name has no usable SPN',
  why: 'Browsers build the SPN from the canonical (A-record) name, not the alias in the URL. When only HTTP/<alias> is registered the KDC knows no HTTP/<canonical> and clients fall back to NTLM; when the canonical name belongs to another account (often the node itself through HOST/), the ticket cannot be decrypted: 401.1.',
  docs: 'docs/rules/cname-binding.md',
  needsInventory: true,
  check(ctx) {
    const findings: Finding[] = [];
    const endpoints = uniqueBy(
      webEndpoints(ctx).filter((e) => e.negotiates && e.cnameChain.length > 0),
      endpointKey,
    );
    for (const e of endpoints) {
      const intended = intendedDecryptor(ctx, e);
      if (e.decryptor.kind === 'nobody' || !intended.account) continue;
      const holders = e.resolution.holders;
      const ok = holders.length === 1 && holders[0]?.account === intended.account;
      if (ok) continue;
      const aliasSpn = formatSpn('HTTP', e.host, e.spnPort);
      const aliasResolution = ctx.index.resolve(aliasSpn, e.forest);
      const aliasHolders = aliasResolution.holders;
      const aliasOwned = aliasHolders.length === 1 && aliasHolders[0]?.account === intended.account;
      const intendedName = ctx.displayName(intended.account);
      const fixes: Fix[] = [];
      const aRecord = manualFix(
        `Replace the DNS CNAME ${e.host} → ${e.canonicalHost} with an A record, so browsers request ${aliasSpn}${
          aliasOwned ? ` (already on ${intendedName})` : ''
        }.`,
      );
      let problem: string;
      if (e.resolution.via === 'none') {
        problem = `nobody holds ${e.expectedSpn}${aliasResolution.via === 'explicit' ? `; ${aliasSpn} (the alias) is registered, but browsers never ask for it` : ''}: NTLM fallback`;
        // The canonical name belongs to nobody, so it is dedicated to this service: registering it is safe.
        fixes.push(addSpnFix(ctx, e.expectedSpn, intended.account, `registers the canonical name ${e.canonicalHost}; alternatively make ${e.host} an A record`));
        fixes.push(aRecord);
      } else {
        const who = holders.map((h) => ctx.displayName(h.account)).sort().join(', ');
        problem = `${e.expectedSpn} belongs to ${who}${e.resolution.via === 'host-alias' ? ` through ${e.resolution.hostSpn}` : ''}, not to ${intendedName}${
          intended.afterUseAppPoolCredentials ? ', which decrypts once useAppPoolCredentials is turned on for this site (kernel-mode-needs-app-pool-credentials)' : ''
        }: 401.1`;
        fixes.push(aRecord);
      }
      if (aliasResolution.via === 'none') {
        fixes.push(addSpnFix(ctx, aliasSpn, intended.account, `needed once ${e.host} is an A record`));
      } else if (!aliasOwned) {
        const who = aliasHolders.map((h) => ctx.displayName(h.account)).sort().join(', ');
        fixes.push(manualFix(`${aliasSpn} is held by ${who}${aliasResolution.via === 'host-alias' ? ` through ${aliasResolution.hostSpn}` : ''}: an A record for ${e.host} only helps once that name is dedicated to this site.`));
      }
      findings.push(
        makeFinding(cnameBinding, {
          message: `${e.host} on ${e.server.name} "${appLocation(e.site, e.application)}" is a CNAME for ${e.canonicalHost}, so browsers request ${e.expectedSpn}; ${problem}.`,
          subject: endpointSubject(ctx, e, intended.account),
          evidence: {
            cnameChain: e.cnameChain,
            requestedSpn: e.expectedSpn,
            aliasSpn,
            aliasHolders: aliasHolders.map((h) => ctx.displayName(h.account)),
            holders: holders.map((h) => ctx.displayName(h.account)),
            via: e.resolution.via,
            intendedDecryptor: intendedName,
          },
          fixes,
          key: [e.server.name, e.site.name, e.application.path, e.host],
          location: e.bindings[0]?.pos ?? null,
        }),
      );
    }
    return findings;
  },
};
