/**
 * From findings to plan steps: which fixes run, which wait for a person, which conflict.
 *
 * A finding's fixes are alternatives or preconditions as often as they are steps; the rules say
 * which in the fix note ("only if …", "instead, if …", "gMSA move, step 2"). A fix whose note
 * states a condition is never run: with one such fix it becomes a review item, with several it
 * becomes a decision between them. Two findings that want contradictory changes (the same SPN on
 * different accounts, one IIS property set to two values) become one decision, and every step of
 * those findings leaves the script, so no half of a move runs without its other half.
 */
import { isProtectedMachineSpn } from '../analyze/spn.js';
import type { Finding, Fix, FixAction } from '../model/finding.js';
import type { Decision, DecisionOption, PlanStep, ReviewItem, StepPhase } from './types.js';
import { PHASE_ORDER } from './types.js';

/**
 * Clause openings that make a fix conditional. Notes are split into clauses at ';', ':' and ','.
 * Unknown wording counts as unconditional, so this list is kept in step with the rules' notes by
 * test/unit/remediate/select.test.ts, which classifies every note the example audit produces.
 */
const CONDITIONAL_CLAUSE = /^(only (if|when)\b|if\b|when\b|once\b|instead\b|or\b|otherwise\b|alternatively\b|skip\b|needed once\b|unless\b)/i;
/** Conditions inside the first clause: "run on WEB01 if every user …", "gMSA move, step 2". */
const CONDITIONAL_ANYWHERE = /(^run on \S+ if\b)|(\bstep \d+\b)/i;

export function isConditionalNote(note: string | undefined): boolean {
  if (!note) return false;
  const text = note.trim();
  if (CONDITIONAL_ANYWHERE.test(text)) return true;
  return text.split(/[;:,]\s*/).some((clause) => CONDITIONAL_CLAUSE.test(clause.trim()));
}

/** The condition a note states: its first clause ("if the account stays a user account"). */
export function conditionOf(note: string | undefined): string {
  if (!note) return '';
  return note.split(/[;:]\s*/)[0]?.trim() ?? '';
}

export function phaseOf(action: FixAction): StepPhase {
  switch (action.type) {
    case 'account-set':
      return 'account';
    case 'spn-remove':
      return 'spn-remove';
    case 'spn-add':
      return 'spn-add';
    case 'iis-set':
      return 'iis';
  }
}

const lc = (s: string): string => s.toLowerCase();

/** Identity of a change: the same change from two findings is one step. */
export function actionKey(a: FixAction): string {
  switch (a.type) {
    case 'spn-add':
    case 'spn-remove':
      return [a.type, lc(a.domain), lc(a.account), lc(a.spn)].join('\u0000');
    case 'iis-set':
      return [a.type, lc(a.server), lc(a.location), lc(a.section), lc(a.property), a.value].join('\u0000');
    case 'account-set':
      return [a.type, lc(a.domain), lc(a.account), JSON.stringify(a.change ?? null), a.property, a.value].join('\u0000');
  }
}

/** What a change sets, without the value: two different values for one target conflict. */
function targetKey(a: FixAction): string | null {
  switch (a.type) {
    case 'iis-set':
      return ['iis', lc(a.server), lc(a.location), lc(a.section), lc(a.property)].join('\u0000');
    case 'account-set': {
      const c = a.change;
      if (!c) return null;
      const what = c.kind === 'flag' ? `flag:${c.flag}` : c.kind === 'multi-value' ? null : c.kind;
      return what === null ? null : ['account', lc(a.domain), lc(a.account), what].join('\u0000');
    }
    default:
      return null;
  }
}

interface Candidate {
  finding: Finding;
  fix: Fix;
  action: FixAction;
}

export interface Selection {
  steps: PlanStep[];
  decisions: Decision[];
  review: ReviewItem[];
}

export interface SelectOptions {
  /** true when the forest of this DNS domain has several domains (setspn -F). */
  forestWide(domain: string): boolean;
  /** DOMAIN\account for messages. */
  display(account: string, domain: string): string;
}

export function describeAction(a: FixAction, display: SelectOptions['display']): string {
  switch (a.type) {
    case 'spn-add':
      return `register ${a.spn} on ${display(a.account, a.domain)}`;
    case 'spn-remove':
      return `remove ${a.spn} from ${display(a.account, a.domain)}`;
    case 'iis-set':
      return `on ${a.server}, set ${a.property} of ${a.section.split('/').pop() ?? a.section} at location ${a.location || '(server level)'} to ${a.value} (was ${a.previous ?? 'not set'})`;
    case 'account-set':
      return `on ${display(a.account, a.domain)}, set ${a.property} to ${a.value} (was ${a.previous ?? 'not set'})`;
  }
}

function findingLabel(f: Finding): string {
  return `${f.ruleId} ${f.fingerprint}`;
}

export function selectSteps(findings: readonly Finding[], opts: SelectOptions): Selection {
  const review: ReviewItem[] = [];
  const decisions: Decision[] = [];
  const runnable = new Map<Finding, Candidate[]>();

  for (const finding of findings) {
    const direct: Candidate[] = [];
    const conditional: Candidate[] = [];
    for (const fix of finding.fixes) {
      const base = { finding: finding.fingerprint, ruleId: finding.ruleId, text: fix.command, ...(fix.note ? { note: fix.note } : {}) };
      const action = fix.action;
      if (!action) {
        review.push({ kind: 'manual', ...base });
        continue;
      }
      if (action.type === 'account-set' && !action.change) {
        review.push({ kind: 'not-renderable', ...base, action });
        continue;
      }
      if (action.type === 'spn-remove' && isProtectedMachineSpn(action.accountKind, action.spn)) {
        review.push({ kind: 'refused', ...base, text: `Refused: ${action.spn} is registered by Windows for the computer ${opts.display(action.account, action.domain)}; removing it breaks SMB, RPC and WinRM.`, action });
        continue;
      }
      (isConditionalNote(fix.note) ? conditional : direct).push({ finding, fix, action });
    }
    if (direct.length > 0) runnable.set(finding, direct);
    if (conditional.length === 0) continue;
    // Fixes under the same condition belong together (every setspn -D of one gMSA move; the
    // AES and password steps "if the account stays a user account").
    const groups = new Map<string, Candidate[]>();
    for (const c of conditional) groups.set(conditionOf(c.fix.note), [...(groups.get(conditionOf(c.fix.note)) ?? []), c]);
    if (groups.size === 1) {
      for (const c of conditional) review.push({ kind: 'conditional', finding: finding.fingerprint, ruleId: finding.ruleId, text: c.fix.command, ...(c.fix.note ? { note: c.fix.note } : {}), action: c.action });
      continue;
    }
    decisions.push({
      title: `${finding.ruleId}: choose one`,
      why: finding.message,
      findings: [finding.fingerprint],
      options: [...groups].map(([condition, cs]): DecisionOption => ({
        label: condition || 'apply',
        actions: cs.map((c) => c.action),
        texts: [...new Set(cs.map((c) => c.fix.note ?? '').filter((n) => n !== '' && n !== condition))],
      })),
    });
  }

  // Conflicts between findings: resolved by a person, and every step of the findings involved waits.
  for (;;) {
    const conflict = findConflict(runnable);
    if (!conflict) break;
    const { findings: involved, why } = conflict;
    decisions.push({
      title: why,
      why: 'the findings below want contradictory changes; the plan emits neither: pick one option, then re-run the audit and the plan',
      findings: involved.map((f) => f.fingerprint),
      options: involved.map((f): DecisionOption => ({
        label: `fix ${findingLabel(f)}: ${f.message}`,
        actions: (runnable.get(f) ?? []).map((c) => c.action),
        texts: [],
      })),
    });
    for (const f of involved) runnable.delete(f);
  }

  const byKey = new Map<string, PlanStep>();
  for (const [finding, candidates] of runnable) {
    for (const c of candidates) {
      const key = actionKey(c.action);
      let step = byKey.get(key);
      if (!step) {
        step = {
          key,
          phase: phaseOf(c.action),
          action: c.action,
          findings: [],
          ruleIds: [],
          notes: [],
          forestWide: c.action.type === 'spn-add' && opts.forestWide(c.action.domain),
        };
        byKey.set(key, step);
      }
      if (!step.findings.includes(finding.fingerprint)) step.findings.push(finding.fingerprint);
      if (!step.ruleIds.includes(finding.ruleId)) step.ruleIds.push(finding.ruleId);
      if (c.fix.note && !step.notes.includes(c.fix.note)) step.notes.push(c.fix.note);
    }
  }
  return { steps: orderSteps([...byKey.values()]), decisions, review };
}

function findConflict(runnable: ReadonlyMap<Finding, Candidate[]>): { findings: Finding[]; why: string } | null {
  const adds = new Map<string, Map<string, Finding[]>>();
  const removes = new Map<string, Finding[]>();
  const targets = new Map<string, Map<string, Finding[]>>();
  const push = <K>(m: Map<K, Finding[]>, k: K, f: Finding): void => {
    const list = m.get(k) ?? [];
    if (!list.includes(f)) list.push(f);
    m.set(k, list);
  };
  for (const [finding, candidates] of runnable) {
    for (const { action } of candidates) {
      if (action.type === 'spn-add') {
        const holder = `${lc(action.domain)}\\${lc(action.account)}`;
        const m = adds.get(lc(action.spn)) ?? new Map<string, Finding[]>();
        push(m, holder, finding);
        adds.set(lc(action.spn), m);
      } else if (action.type === 'spn-remove') {
        push(removes, `${lc(action.spn)}\u0000${lc(action.domain)}\\${lc(action.account)}`, finding);
      }
      const target = targetKey(action);
      if (target) {
        const m = targets.get(target) ?? new Map<string, Finding[]>();
        push(m, actionKey(action), finding);
        targets.set(target, m);
      }
    }
  }
  for (const [spn, holders] of adds) {
    if (holders.size > 1) {
      return { findings: [...new Set([...holders.values()].flat())], why: `DECISION: ${spn} is wanted on ${holders.size} accounts (${[...holders.keys()].join(', ')})` };
    }
    const [holder, wanting] = [...holders][0] ?? [];
    const removing = holder ? removes.get(`${spn}\u0000${holder}`) : undefined;
    if (holder && wanting && removing) {
      return { findings: [...new Set([...wanting, ...removing])], why: `DECISION: one finding adds ${spn} to ${holder}, another removes it from there` };
    }
  }
  for (const [target, values] of targets) {
    if (values.size > 1) {
      return { findings: [...new Set([...values.values()].flat())], why: `DECISION: ${values.size} different values wanted for ${target.split('\u0000').join(' ')}` };
    }
  }
  return null;
}

function stepSortKey(s: PlanStep): string {
  const a = s.action;
  switch (a.type) {
    case 'account-set': {
      // Enabling an account comes first: later steps may need it usable.
      const first = a.change?.kind === 'flag' && a.change.flag === 'Enabled' ? '0' : '1';
      return [first, lc(a.domain), lc(a.account), a.property].join('\u0000');
    }
    case 'spn-add':
    case 'spn-remove':
      return [lc(a.domain), lc(a.account), lc(a.spn)].join('\u0000');
    case 'iis-set':
      return [lc(a.server), lc(a.location), a.section, a.property].join('\u0000');
  }
}

/** Phase order, then a stable order inside each phase. */
export function orderSteps(steps: PlanStep[]): PlanStep[] {
  return [...steps].sort((x, y) => {
    const p = PHASE_ORDER.indexOf(x.phase) - PHASE_ORDER.indexOf(y.phase);
    if (p !== 0) return p;
    const kx = stepSortKey(x);
    const ky = stepSortKey(y);
    return kx < ky ? -1 : kx > ky ? 1 : 0;
  });
}
