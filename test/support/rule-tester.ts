/**
 * An ESLint-RuleTester-like harness on vitest: each case is a small snapshot (+ inventory) in and
 * the exact findings out. For every invalid case it asserts, in order, the rule id, severity,
 * subject (exactly), fix commands (exactly), and optionally message/evidence; plus properties every
 * rule must have: findings carry the rule's id and title, fingerprints are unique within a run and
 * identical across two runs of the same input.
 */
import { describe, expect, it } from 'vitest';
import { createRuleContext } from '../../src/analyze/context.js';
import type { AnalyzeOptions, Rule } from '../../src/analyze/types.js';
import type { Snapshot } from '../../src/model/directory.js';
import type { Finding, FindingSubject, FixKind, Severity } from '../../src/model/finding.js';
import type { Inventory } from '../../src/model/iis.js';

export interface RuleInput {
  snapshot: Snapshot;
  inventory?: Inventory | null;
  options?: Partial<AnalyzeOptions>;
}

export interface ExpectedFinding {
  severity: Severity;
  /** Compared with toEqual: every subject field the finding sets must be listed. */
  subject: FindingSubject;
  /** The fix commands, in order, exactly. */
  fixes: string[];
  /** Optional: the fix kinds, in order. */
  fixKinds?: FixKind[];
  /** Optional: a substring or pattern the message must contain. */
  message?: string | RegExp;
  /** Optional: fields the evidence must contain (toMatchObject). */
  evidence?: Record<string, unknown>;
  /** Optional: substrings the fix notes (joined) must contain. */
  notes?: string[];
}

export interface ValidCase {
  name: string;
  input: RuleInput;
}

export interface InvalidCase extends ValidCase {
  findings: ExpectedFinding[];
}

export function runRule(rule: Rule, input: RuleInput): Finding[] {
  const ctx = createRuleContext(input.snapshot, input.inventory ?? null, input.options ?? {});
  return rule.check(ctx);
}

function describeFindings(findings: Finding[]): string {
  return JSON.stringify(
    findings.map((f) => ({ severity: f.severity, subject: f.subject, fixes: f.fixes.map((x) => x.command), message: f.message })),
    null,
    2,
  );
}

export function ruleTester(rule: Rule) {
  return {
    run(cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
      describe(rule.id, () => {
        for (const c of cases.valid) {
          it(`valid: ${c.name}`, () => {
            const findings = runRule(rule, c.input);
            expect(findings, describeFindings(findings)).toEqual([]);
          });
        }
        for (const c of cases.invalid) {
          it(`invalid: ${c.name}`, () => {
            const findings = runRule(rule, c.input);
            const shown = describeFindings(findings);
            expect(findings.length, shown).toBe(c.findings.length);
            findings.forEach((f, i) => {
              const want = c.findings[i];
              if (!want) return;
              const at = `finding #${i}\n${shown}`;
              expect(f.ruleId, at).toBe(rule.id);
              expect(f.title, at).toBe(rule.title);
              expect(f.severity, at).toBe(want.severity);
              expect(f.subject, at).toEqual(want.subject);
              expect(f.fixes.map((x) => x.command), at).toEqual(want.fixes);
              expect(f.fingerprint, at).toMatch(/^[0-9a-f]{32}$/);
              expect(f.message.length, at).toBeGreaterThan(0);
              if (want.fixKinds) expect(f.fixes.map((x) => x.kind), at).toEqual(want.fixKinds);
              if (typeof want.message === 'string') expect(f.message, at).toContain(want.message);
              else if (want.message) expect(f.message, at).toMatch(want.message);
              if (want.evidence) expect(f.evidence, at).toMatchObject(want.evidence);
              if (want.notes) {
                const notes = f.fixes.map((x) => x.note ?? '').join('\n');
                for (const n of want.notes) expect(notes, at).toContain(n);
              }
            });
            const prints = findings.map((f) => f.fingerprint);
            expect(new Set(prints).size, 'fingerprints must be unique within a run').toBe(prints.length);
            expect(runRule(rule, c.input).map((f) => f.fingerprint), 'fingerprints must be stable').toEqual(prints);
          });
        }
      });
    },
  };
}
