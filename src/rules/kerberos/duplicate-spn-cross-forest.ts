import { fixAccount, forestNames } from '../../analyze/context.js';
import { makeFinding } from '../../analyze/findings.js';
import { manualFix, setspnRemove } from '../../analyze/fixes.js';
import { isProtectedMachineSpn, spnKey } from '../../analyze/spn.js';
import { isDuplicateExempt } from '../../analyze/spn-index.js';
import type { Rule, SpnHolder } from '../../analyze/types.js';
import type { Finding } from '../../model/finding.js';
import { holdersSorted } from './shared.js';

export const duplicateSpnCrossForest: Rule = {
  id: 'duplicate-spn-cross-forest',
  severity: 'warning',
  category: 'kerberos',
  title: 'SPN registered in more than one forest',
  why: 'Each forest enforces SPN uniqueness only for itself, so this is allowed, but a client whose realm routing reaches the other forest gets a ticket for the wrong account: cross-forest Kerberos to this name fails (401.1) or falls back to NTLM.',
  docs: 'docs/rules/duplicate-spn-cross-forest.md',
  needsInventory: false,
  check(ctx) {
    const forests = forestNames(ctx);
    if (forests.length < 2) return [];
    // Only keys held in another forest too are collected: each forest's SPNs are looked up in the others.
    const byKey = new Map<string, Map<string, SpnHolder[]>>();
    for (const forest of forests) {
      const others = forests.filter((f) => f !== forest);
      for (const spelling of ctx.index.spellings(forest)) {
        if (!others.some((other) => ctx.index.isHeld(spelling, other))) continue;
        const key = spnKey(spelling);
        if (isDuplicateExempt(key)) continue;
        let perForest = byKey.get(key);
        if (!perForest) byKey.set(key, (perForest = new Map()));
        perForest.set(forest, ctx.index.holders(spelling, forest));
      }
    }
    const findings: Finding[] = [];
    for (const key of [...byKey.keys()].sort()) {
      const perForest = byKey.get(key);
      if (!perForest || perForest.size < 2) continue;
      const entries = [...perForest].sort(([a], [b]) => a.localeCompare(b));
      const all = entries.flatMap(([, h]) => holdersSorted(ctx, h));
      const spn = all[0]?.spn ?? key;
      const removable = all.filter((h) => !isProtectedMachineSpn(h.account.kind, h.spn));
      findings.push(
        makeFinding(duplicateSpnCrossForest, {
          message: `${spn} is registered in ${entries.length} forests: ${entries
            .map(([forest, h]) => `${forest} (${holdersSorted(ctx, h).map((x) => ctx.displayName(x.account)).join(', ')})`)
            .join('; ')}.`,
          subject: { spn },
          evidence: {
            forests: entries.map(([forest, h]) => ({
              forest,
              holders: holdersSorted(ctx, h).map((x) => ({ account: ctx.displayName(x.account), objectGuid: x.account.objectGuid, spn: x.spn })),
            })),
          },
          fixes: [
            manualFix(`Keep ${spn} only in the forest where the service runs and remove it in the other forest(s).`),
            ...removable.map((h) =>
              setspnRemove(h.spn, fixAccount(ctx, h.account), {
                note: `only if the service does not run as ${ctx.displayName(h.account)} (forest ${ctx.index.forestOf(h.account)}); run against that forest`,
              }),
            ),
          ],
          key: [key],
        }),
      );
    }
    return findings;
  },
};
