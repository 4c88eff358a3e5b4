/**
 * `spnaudit plan` as a library: findings → ordered steps, decisions and review items → simulated
 * on the snapshot → rollback → script files for a shell.
 */
import { appLocation } from '../analyze/endpoints.js';
import { netbiosOf } from '../model/account-order.js';
import type { AuditResult } from '../model/audit.js';
import type { Snapshot } from '../model/directory.js';
import { SEVERITY_ORDER, type Finding } from '../model/finding.js';
import type { Inventory } from '../model/iis.js';
import { oneLine } from '../errors.js';
import { buildRollback } from './rollback.js';
import { selectSteps } from './select.js';
import { simulatePlan, SimulationError } from './simulate.js';
import type { Plan, PlanFilters, PlannedFinding, ReviewItem } from './types.js';

export type { Plan, PlanFilters, PlanStep, Shell, Decision, ReviewItem, SimulationResult, PlannedFinding } from './types.js';
export { renderPlanFiles, type PlanFile, type ShellOutcome } from './script.js';
export { SimulationError } from './simulate.js';

export class PlanRefusedError extends Error {
  override name = 'PlanRefusedError';
}

const lc = (s: string): string => s.toLowerCase();

function matchesAccount(f: Finding, wanted: readonly string[]): boolean {
  if (wanted.length === 0) return true;
  const names = new Set<string>();
  if (f.subject.account) {
    names.add(lc(f.subject.account));
    names.add(lc(f.subject.account.split('\\').pop() ?? ''));
  }
  for (const fix of f.fixes) {
    const a = fix.action;
    if (a && a.type !== 'iis-set') names.add(lc(a.account));
  }
  return wanted.some((w) => names.has(lc(w)));
}

function matchesHost(f: Finding, wanted: readonly string[]): boolean {
  if (wanted.length === 0) return true;
  const hosts = new Set<string>();
  if (f.subject.host) hosts.add(lc(f.subject.host));
  if (f.subject.server) hosts.add(lc(f.subject.server));
  const spnHost = (spn: string): string => lc(spn.split('/')[1]?.split(':')[0] ?? '');
  if (f.subject.spn) hosts.add(spnHost(f.subject.spn));
  for (const fix of f.fixes) {
    const a = fix.action;
    if (a?.type === 'spn-add' || a?.type === 'spn-remove') hosts.add(spnHost(a.spn));
    if (a?.type === 'iis-set') hosts.add(lc(a.server));
  }
  return wanted.some((w) => hosts.has(lc(w)));
}

export function filterFindings(findings: readonly Finding[], filters: PlanFilters): Finding[] {
  return findings.filter(
    (f) =>
      SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[filters.minSeverity] &&
      (filters.only.length === 0 || filters.only.includes(f.ruleId)) &&
      !filters.exclude.includes(f.ruleId) &&
      matchesAccount(f, filters.accounts) &&
      matchesHost(f, filters.hosts),
  );
}

export interface BuildPlanInput {
  audit: AuditResult;
  snapshot: Snapshot;
  inventory: Inventory | null;
  filters: PlanFilters;
  /** Findings to leave out (suppressed in the config). */
  suppressed?: ReadonlySet<string>;
  now: Date;
  passwordAgeDays?: number;
}

export function buildPlan(input: BuildPlanInput): Plan {
  const { audit, snapshot, inventory, filters } = input;
  const chosen = filterFindings(
    audit.findings.filter((f) => !input.suppressed?.has(f.fingerprint)),
    filters,
  );
  const forestDomains = new Map<string, number>();
  for (const d of snapshot.domains) forestDomains.set(lc(d.forest), (forestDomains.get(lc(d.forest)) ?? 0) + 1);
  const forestOf = (domain: string): string => lc(snapshot.domains.find((d) => lc(d.dnsName) === lc(domain))?.forest ?? domain);
  const netbios: Record<string, string> = {};
  for (const d of snapshot.domains) netbios[lc(d.dnsName)] = netbiosOf(snapshot.domains, d.dnsName);
  for (const a of snapshot.accounts) netbios[lc(a.domain)] ??= netbiosOf(snapshot.domains, a.domain);

  const selection = selectSteps(chosen, {
    forestWide: (domain) => (forestDomains.get(forestOf(domain)) ?? 1) > 1,
    display: (account, domain) => `${netbios[lc(domain)] ?? domain.toUpperCase()}\\${account}`,
  });

  // A step whose effect the simulation shows to break a name (e.g. turning Negotiate on where no
  // SPN exists yet) is held back for review with the reason, and the rest of the plan re-simulated;
  // only a failure no step can be blamed for refuses the whole plan.
  let steps = selection.steps;
  const heldBack: ReviewItem[] = [];
  let simulation;
  for (let round = 0; ; round++) {
    try {
      simulation = simulatePlan(snapshot, inventory, steps, audit.findings, { now: input.now, ...(input.passwordAgeDays !== undefined ? { passwordAgeDays: input.passwordAgeDays } : {}) });
    } catch (err) {
      if (err instanceof SimulationError) throw new PlanRefusedError(`the plan cannot be simulated: ${err.message}`);
      throw err;
    }
    if (simulation.remaining.length === 0) break;
    const blamed = new Set(simulation.remaining.flatMap((r) => r.stepKeys));
    const first = simulation.remaining[0];
    if (blamed.size === 0 || round >= 10) {
      throw new PlanRefusedError(
        `refusing to write a plan that fails its own simulation: after it, ${simulation.remaining.length} duplicate-spn/missing-spn finding(s) remain on names it touches (first: ${first?.ruleId} ${oneLine(first?.spn ?? '')}: ${oneLine(first?.message ?? '')})`,
      );
    }
    for (const step of steps.filter((s) => blamed.has(s.key))) {
      const why = simulation.remaining.find((r) => r.stepKeys.includes(step.key));
      for (const fp of step.findings) {
        heldBack.push({
          kind: 'held-back',
          finding: fp,
          ruleId: audit.findings.find((f) => f.fingerprint === fp)?.ruleId ?? step.ruleIds[0] ?? '',
          text: `Held back by the plan's simulation: after this change ${why?.ruleId ?? 'a finding'} ${why?.spn ?? ''} would remain (${why?.message ?? ''}). Fix that name first, then re-run spnaudit plan.`,
          action: step.action,
        });
      }
    }
    steps = steps.filter((s) => !blamed.has(s.key));
  }
  selection.steps = steps;
  selection.review.push(...heldBack);

  const { rollback, manualUndo } = buildRollback(selection.steps, snapshot);
  const inDecision = new Set(selection.decisions.flatMap((d) => d.findings));
  const findings: PlannedFinding[] = chosen.map((f) => {
    const stepped = selection.steps.some((s) => s.findings.includes(f.fingerprint));
    const reviewed = selection.review.some((r) => r.finding === f.fingerprint);
    const status = inDecision.has(f.fingerprint) && !stepped ? 'decision' : stepped ? (reviewed || inDecision.has(f.fingerprint) ? 'partial' : 'scripted') : 'review';
    return { fingerprint: f.fingerprint, ruleId: f.ruleId, severity: f.severity, message: f.message, status };
  });

  const pools: Record<string, Record<string, string[]>> = {};
  for (const server of inventory?.servers ?? []) {
    const byLoc: Record<string, string[]> = {};
    for (const site of server.sites) {
      for (const app of site.applications) {
        const loc = lc(appLocation(site, app));
        byLoc[loc] = [...new Set([...(byLoc[loc] ?? []), app.appPool])];
      }
    }
    pools[lc(server.name)] = byLoc;
  }

  return {
    meta: {
      domains: audit.scope.domains,
      servers: audit.scope.servers,
      collectedAt: audit.scope.collectedAt,
      snapshotFile: audit.scope.snapshotFile,
      generatedAt: audit.generatedAt,
      toolVersion: audit.tool.version,
      filters,
      netbios,
      pools,
    },
    steps: selection.steps,
    rollback,
    manualUndo,
    decisions: selection.decisions,
    review: selection.review,
    findings,
    simulation,
  };
}
