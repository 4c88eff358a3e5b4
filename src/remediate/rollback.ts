/**
 * The inverse plan: every step undone, in mirror order. Mirror order matters: an SPN that moved
 * must leave its new holder before it can go back to the old one (setspn -S refuses a duplicate),
 * and IIS changes, made last, are undone first.
 */
import type { Snapshot } from '../model/directory.js';
import type { FixAction } from '../model/finding.js';
import { inverseAccountChange, noInverseReason } from './powershell.js';
import { actionKey, phaseOf } from './select.js';
import type { ManualUndo, PlanStep } from './types.js';

function inverseAction(a: FixAction): FixAction | string {
  switch (a.type) {
    case 'spn-add':
      return { ...a, type: 'spn-remove' };
    case 'spn-remove':
      return { ...a, type: 'spn-add' };
    case 'iis-set':
      if (a.previous === null) return `the previous value of ${a.property} at "${a.location}" on ${a.server} was not recorded; restore it by hand`;
      return { ...a, value: a.previous, previous: a.value };
    case 'account-set': {
      if (!a.change) return 'not re-renderable';
      const inv = inverseAccountChange(a.change);
      if (!inv) return noInverseReason(a.change);
      return { ...a, value: a.previous ?? '(not set)', previous: a.value, change: inv };
    }
  }
}

/** How many accounts in the snapshot hold `spn` (case-insensitive), by account. */
function holdersIn(snapshot: Snapshot, spn: string): string[] {
  const key = spn.toLowerCase();
  return snapshot.accounts.filter((acc) => acc.servicePrincipalNames.some((s) => s.toLowerCase() === key)).map((acc) => acc.sAMAccountName.toLowerCase());
}

export function buildRollback(steps: readonly PlanStep[], snapshot: Snapshot): { rollback: PlanStep[]; manualUndo: ManualUndo[] } {
  const rollback: PlanStep[] = [];
  const manualUndo: ManualUndo[] = [];
  for (const step of [...steps].reverse()) {
    const inv = inverseAction(step.action);
    if (typeof inv === 'string') {
      manualUndo.push({ step, reason: inv });
      continue;
    }
    const removed = step.action;
    if (removed.type === 'spn-remove') {
      // Undoing the removal of a duplicate would recreate the duplicate: setspn -S and samba-tool
      // refuse it (rightly), so the rollback says so instead of failing half-way.
      const others = holdersIn(snapshot, removed.spn).filter((h) => h !== removed.account.toLowerCase());
      if (others.length > 0) {
        manualUndo.push({
          step,
          reason: `not re-added: before the plan ${removed.spn} was a duplicate (also on ${others.join(', ')}); re-adding it would recreate the duplicate, which setspn -S and samba-tool refuse. Restore the old state only by removing it from the other holder first.`,
        });
        continue;
      }
    }
    rollback.push({
      key: actionKey(inv),
      phase: phaseOf(inv),
      action: inv,
      findings: step.findings,
      ruleIds: step.ruleIds,
      notes: [],
      forestWide: step.forestWide,
    });
  }
  return { rollback, manualUndo };
}
