/**
 * The remediation plan as data: what `spnaudit plan` decided to change, in which order, what it
 * left to a person (decisions, conditional and manual fixes) and what its own simulation showed.
 * Scripts for each shell are rendered from this, never from the findings' display commands.
 */
import type { FixAction, Severity } from '../model/finding.js';

export type Shell = 'cmd' | 'powershell' | 'samba';

/** Execution order: account fixes, then SPN removals, then additions, then IIS. */
export type StepPhase = 'account' | 'spn-remove' | 'spn-add' | 'iis';

export const PHASE_ORDER: readonly StepPhase[] = ['account', 'spn-remove', 'spn-add', 'iis'];

export interface PlanStep {
  /** Identity of the change (identical changes from several findings become one step). */
  key: string;
  phase: StepPhase;
  action: FixAction;
  /** Fingerprints of the findings this step (partly) fixes. */
  findings: string[];
  ruleIds: string[];
  notes: string[];
  /** setspn -F: the duplicate check must cover a forest with several domains. */
  forestWide: boolean;
}

/** A step of the rollback that cannot be scripted (nothing to undo, or the old value is unknown). */
export interface ManualUndo {
  /** The forward step this would undo. */
  step: PlanStep;
  reason: string;
}

export interface DecisionOption {
  label: string;
  /** Changes this option would make (rendered commented out for review). */
  actions: FixAction[];
  /** Instructions without a command. */
  texts: string[];
}

/** Something only the admin can decide; none of its commands is emitted as a live line. */
export interface Decision {
  title: string;
  why: string;
  findings: string[];
  options: DecisionOption[];
}

export type ReviewKind = 'conditional' | 'manual' | 'refused' | 'not-renderable' | 'held-back';

/** A fix the plan does not run: conditional ("only if …"), manual, or refused for safety. */
export interface ReviewItem {
  kind: ReviewKind;
  finding: string;
  ruleId: string;
  text: string;
  note?: string;
  action?: FixAction;
}

export type FindingStatus = 'scripted' | 'partial' | 'review' | 'decision';

export interface PlannedFinding {
  fingerprint: string;
  ruleId: string;
  severity: Severity;
  message: string;
  status: FindingStatus;
}

export interface SimulationResult {
  /** SPN keys the plan adds or removes, plus the SPNs of IIS locations it changes. */
  touchedSpns: string[];
  /** duplicate-spn / missing-spn findings left on touched names after the plan (must be empty). */
  remaining: Array<{ ruleId: string; spn: string; message: string; causedBy: string[]; /** keys of the steps that touch it */ stepKeys: string[] }>;
  /** Findings (any rule) present after the simulated plan that the input audit did not have. */
  introduced: Array<{ ruleId: string; fingerprint: string; message: string }>;
  /** Fingerprints of the input findings the simulated audit no longer reports. */
  resolved: string[];
}

export interface PlanFilters {
  only: string[];
  exclude: string[];
  accounts: string[];
  hosts: string[];
  minSeverity: Severity;
}

export interface PlanMeta {
  domains: string[];
  servers: string[];
  collectedAt: string | null;
  snapshotFile: string | null;
  generatedAt: string;
  toolVersion: string;
  filters: PlanFilters;
  /** DNS domain (lower-case) → NetBIOS name, for DOMAIN\account in setspn. */
  netbios: Record<string, string>;
  /** IIS location → application pools serving it, per server (for recycle hints). */
  pools: Record<string, Record<string, string[]>>;
}

export interface Plan {
  meta: PlanMeta;
  steps: PlanStep[];
  rollback: PlanStep[];
  manualUndo: ManualUndo[];
  decisions: Decision[];
  review: ReviewItem[];
  findings: PlannedFinding[];
  simulation: SimulationResult;
}
