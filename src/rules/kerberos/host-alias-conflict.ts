import { fixAccount, forestNames } from '../../analyze/context.js';
import { endpointsRequesting } from '../../analyze/endpoints.js';
import { makeFinding } from '../../analyze/findings.js';
import { manualFix, setspnRemove } from '../../analyze/fixes.js';
import { parseSpn, spnKey } from '../../analyze/spn.js';
import type { Rule, SpnHolder } from '../../analyze/types.js';
import type { Account } from '../../model/directory.js';
import type { Finding, Fix } from '../../model/finding.js';
import { holdersSorted, intendedDecryptor } from './shared.js';

export const hostAliasConflict: Rule = {
  id: 'host-alias-conflict',
  severity: 'warning',
  category: 'kerberos',
  title: 'HTTP-class SPN on one account while HOST/ of the same name is on another',
  why: 'The KDC looks up the explicit SPN first and uses the HOST/ alias only when nobody holds it, so every HTTP-class Kerberos service on that name (WinRM, PowerShell remoting, other sites on the machine) now gets tickets for the explicit holder and fails with KRB_AP_ERR_MODIFIED unless that holder runs them.',
  docs: 'docs/rules/host-alias-conflict.md',
  needsInventory: false,
  check(ctx) {
    const findings: Finding[] = [];
    for (const forest of forestNames(ctx)) {
      const aliases = ctx.index.hostAliases(forest);
      // Cheap string checks first: only host-mapped classes whose HOST/ twin is held are candidates,
      // and only those are sorted (a million-account forest has millions of index entries).
      const entries: Array<[string, SpnHolder[]]> = [];
      for (const spelling of ctx.index.spellings(forest)) {
        const slash = spelling.indexOf('/');
        if (slash <= 0) continue;
        const cls = spelling.slice(0, slash).toLowerCase();
        if (cls === 'host' || !aliases.has(cls)) continue;
        // Only a HOST/ twin held by some account other than this SPN's holders conflicts.
        if (!ctx.index.heldOutside(`host${spelling.slice(slash)}`, spelling, forest)) continue;
        entries.push([spnKey(spelling), ctx.index.holders(spelling, forest)]);
      }
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [key, unsortedHolders] of entries) {
        const parsed = parseSpn(key);
        if (!parsed || parsed.serviceClass === 'host' || !aliases.has(parsed.serviceClass)) continue;
        const hostSpn = `host${key.slice(key.indexOf('/'))}`;
        const explicit = holdersSorted(ctx, unsortedHolders);
        const explicitAccounts = new Set(explicit.map((h) => h.account));
        const hostHolders = holdersSorted(ctx, ctx.index.holders(hostSpn, forest)).filter((h) => !explicitAccounts.has(h.account));
        if (hostHolders.length === 0) continue;
        const spn = explicit[0]?.spn ?? key;
        const a = explicit[0]?.account;
        if (!a) continue;
        const aName = explicit.map((h) => ctx.displayName(h.account)).join(', ');
        const bName = hostHolders.map((h) => ctx.displayName(h.account)).join(', ');
        const hostSpnShown = hostHolders[0]?.spn ?? hostSpn;
        // Only requests for this class are affected: for HTTP that is every site, WinRM and remoting on the name.
        const cls = parsed.serviceClass.toUpperCase();
        const affected = parsed.serviceClass === 'http' ? 'every HTTP Kerberos service on this name (sites, WinRM, PowerShell remoting)' : `every ${cls}/ Kerberos request for this name`;

        // When the inventory says the HOST holder must decrypt this name, the explicit SPN is simply wrong.
        const decryptors = new Set<Account>();
        for (const e of endpointsRequesting(ctx, key, forest)) {
          const d = intendedDecryptor(ctx, e).account;
          if (d) decryptors.add(d);
        }
        const hostHolderDecrypts = decryptors.size === 1 && hostHolders.some((h) => decryptors.has(h.account));
        const fixes: Fix[] = [];
        if (hostHolderDecrypts) {
          for (const h of explicit) fixes.push(setspnRemove(h.spn, fixAccount(ctx, h.account), { note: `the HOST alias then gives ${bName} the tickets it must decrypt` }));
        } else {
          fixes.push(
            manualFix(
              `If ${aName} serves a site on this name, give that site its own host name (a DNS A record), register the SPN for the new name on ${aName}, and then remove ${spn}; never remove ${hostSpnShown} from ${bName}.`,
            ),
          );
          for (const h of explicit) {
            fixes.push(
              setspnRemove(h.spn, fixAccount(ctx, h.account), {
                note: `once nothing on this name needs ${ctx.displayName(h.account)} to decrypt; ${cls}/ requests for it then go to ${bName} again`,
              }),
            );
          }
        }
        findings.push(
          makeFinding(hostAliasConflict, {
            message: `${spn} is explicit on ${aName} while ${hostSpnShown} is on ${bName}: the explicit SPN wins, so ${affected} gets tickets for ${aName}.`,
            subject: { spn, account: ctx.displayName(a), accountGuid: a.objectGuid },
            evidence: {
              forest,
              explicitHolders: explicit.map((h) => ctx.displayName(h.account)),
              hostSpn: hostSpnShown,
              hostHolders: hostHolders.map((h) => ctx.displayName(h.account)),
              inventorySaysHostHolderDecrypts: hostHolderDecrypts,
            },
            fixes,
            key: [a.objectGuid, key],
          }),
        );
      }
    }
    return findings;
  },
};
