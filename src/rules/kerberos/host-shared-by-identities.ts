import { appLocation, webEndpoints, type WebEndpoint } from '../../analyze/endpoints.js';
import { makeFinding } from '../../analyze/findings.js';
import { manualFix } from '../../analyze/fixes.js';
import type { Rule } from '../../analyze/types.js';
import type { Finding } from '../../model/finding.js';
import { farmHostNames } from './farm-inconsistent-identity.js';
import { sortedHolderNames } from './shared.js';

export const hostSharedByIdentities: Rule = {
  id: 'host-shared-by-identities',
  severity: 'error',
  category: 'iis',
  title: 'One host name is served by applications with different decrypting accounts',
  why: 'Browsers request the same HTTP/<host> SPN for every site, port and application on a host name, and an SPN can belong to only one account (KB 871179); the applications whose decrypting account does not hold it fail with KRB_AP_ERR_MODIFIED and 401.1.',
  docs: 'docs/rules/host-shared-by-identities.md',
  needsInventory: true,
  check(ctx) {
    const farms = farmHostNames(ctx);
    const groups = new Map<string, WebEndpoint[]>();
    for (const e of webEndpoints(ctx)) {
      if (!e.negotiates || e.decryptor.kind === 'nobody') continue;
      // Across servers a load-balanced name is farm-inconsistent-identity's finding, so group farm names per server.
      const key = [e.expectedSpn.toLowerCase(), farms.has(e.canonicalHost) || farms.has(e.host) ? e.server.name.toLowerCase() : ''].join('\u0000');
      const list = groups.get(key) ?? [];
      list.push(e);
      groups.set(key, list);
    }
    const findings: Finding[] = [];
    for (const [key, list] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const accounts = new Map<string, string>();
      for (const e of list) {
        const id = (e.decryptor.account?.objectGuid ?? e.decryptor.name ?? '').toLowerCase();
        accounts.set(id, e.decryptor.name ?? '?');
      }
      if (accounts.size < 2) continue;
      const first = list[0];
      if (!first) continue;
      const servers = [...new Set(list.map((e) => e.server.name))].sort();
      const holderNames = sortedHolderNames(ctx, first.resolution.holders);
      const users = list.map((e) => ({
        server: e.server.name,
        site: appLocation(e.site, e.application),
        appPool: e.appPool?.name ?? null,
        ports: [...new Set(e.bindings.map((b) => b.port))].filter((p) => p !== null).sort((a, b) => a - b),
        decryptor: e.decryptor.name,
      }));
      const names = [...accounts.values()].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
      findings.push(
        makeFinding(hostSharedByIdentities, {
          message: `${first.expectedSpn} is requested for ${users.length} applications decrypting with ${names.length} different accounts (${names.join(', ')}); only one can hold the SPN${
            holderNames.length > 0 ? ` (now ${holderNames.join(', ')})` : ''
          }, so the others fail with 401.1.`,
          subject: { spn: first.expectedSpn, host: first.host, ...(servers.length === 1 ? { server: servers[0] } : {}) },
          evidence: { applications: users, decryptingAccounts: names, holders: holderNames },
          fixes: [
            manualFix(
              `Run every application on ${first.host} under one identity (preferably a gMSA) with useAppPoolCredentials=True and register ${first.expectedSpn} on it; or use kernel mode without useAppPoolCredentials on all of them so the computer account decrypts; or give each application its own host name.`,
            ),
          ],
          key: key.split('\u0000'),
        }),
      );
    }
    return findings;
  },
};
