import { fixAccount, forestNames } from '../../analyze/context.js';
import { endpointsRequesting } from '../../analyze/endpoints.js';
import { makeFinding } from '../../analyze/findings.js';
import { manualFix, setspnRemove } from '../../analyze/fixes.js';
import { isProtectedMachineSpn } from '../../analyze/spn.js';
import { duplicateEntries } from '../../analyze/spn-index.js';
import type { Rule, RuleContext, SpnHolder } from '../../analyze/types.js';
import type { Account } from '../../model/directory.js';
import type { Finding, Fix } from '../../model/finding.js';
import { addSpnFix, holdersSorted, intendedDecryptor } from './shared.js';

/**
 * The account the IIS inventory says must decrypt tickets for this SPN: the (intended) decrypting
 * account of every endpoint requesting it, when they all agree.
 */
function decidedOwner(ctx: RuleContext, key: string, forest: string): Account | null {
  const owners = new Set<Account>();
  for (const e of endpointsRequesting(ctx, key, forest)) {
    const intended = intendedDecryptor(ctx, e);
    if (!intended.account) return null;
    owners.add(intended.account);
  }
  return owners.size === 1 ? ([...owners][0] ?? null) : null;
}

function fixesFor(ctx: RuleContext, spn: string, holders: SpnHolder[], owner: Account | null, forest: string): Fix[] {
  const fixes: Fix[] = [];
  if (owner) {
    for (const h of holders) {
      if (h.account === owner) continue;
      if (isProtectedMachineSpn(h.account.kind, h.spn)) {
        fixes.push(manualFix(`${h.spn} on ${ctx.displayName(h.account)} is registered by Windows for the machine itself and must not be removed; give the service its own host name instead.`));
      } else {
        fixes.push(setspnRemove(h.spn, fixAccount(ctx, h.account)));
      }
    }
    if (!holders.some((h) => h.account === owner)) {
      // After the removals the KDC resolves the name; add it only where the alias would not serve the owner.
      const slash = spn.indexOf('/');
      const viaAlias = ctx.index.hostAliases(forest).has(spn.slice(0, slash).toLowerCase())
        ? ctx.index.holders(`host${spn.slice(slash)}`, forest)
        : [];
      if (!(viaAlias.length === 1 && viaAlias[0]?.account === owner)) fixes.push(addSpnFix(ctx, spn, owner));
    }
    return fixes;
  }
  fixes.push(
    manualFix(
      `Decide which account must decrypt tickets for ${spn} (for IIS: the pool identity when useAppPoolCredentials is on or kernel mode is off, otherwise the server's computer account) and remove the SPN from every other holder.`,
    ),
  );
  for (const h of holders) {
    if (isProtectedMachineSpn(h.account.kind, h.spn)) continue;
    fixes.push(setspnRemove(h.spn, fixAccount(ctx, h.account), { note: `only if ${ctx.displayName(h.account)} is not the account that must decrypt` }));
  }
  return fixes;
}

export const duplicateSpn: Rule = {
  id: 'duplicate-spn',
  severity: 'error',
  category: 'kerberos',
  title: 'SPN registered on more than one account in the forest',
  why: 'The KDC cannot choose between the holders: it logs KDC event 11 and refuses the ticket (KDC_ERR_S_PRINCIPAL_UNKNOWN), so browsers fall back to NTLM, or get a ticket for the wrong account and fail with 401.1.',
  docs: 'docs/rules/duplicate-spn.md',
  needsInventory: false,
  check(ctx) {
    const findings: Finding[] = [];
    for (const forest of forestNames(ctx)) {
      for (const [key, unsorted] of duplicateEntries(ctx.index, forest)) {
        const holders = holdersSorted(ctx, unsorted);
        const spn = holders[0]?.spn ?? key;
        const owner = decidedOwner(ctx, key, forest);
        const names = holders.map((h) => ctx.displayName(h.account));
        findings.push(
          makeFinding(duplicateSpn, {
            message: `${spn} is registered on ${holders.length} accounts in forest ${forest}: ${names.join(', ')}.${
              owner ? ` The IIS inventory says ${ctx.displayName(owner)} must decrypt it.` : ''
            }`,
            subject: { spn },
            evidence: {
              forest,
              holders: holders.map((h) => ({ account: ctx.displayName(h.account), objectGuid: h.account.objectGuid, kind: h.account.kind, spn: h.spn })),
              owner: owner ? ctx.displayName(owner) : null,
            },
            fixes: fixesFor(ctx, spn, holders, owner, forest),
            key: [forest, key],
          }),
        );
      }
    }
    return findings;
  },
};
