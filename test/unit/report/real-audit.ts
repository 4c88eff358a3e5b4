/**
 * The REAL example audit: the bundled CONTOSO snapshot and IIS farm (examples/) run through the
 * analyzer in-process, with the render options `spnaudit audit` uses. Only the clock is fixed, so
 * every report built from it is byte-stable. Shared by the real-audit goldens, the committed
 * example reports and the headless-Chromium test.
 *
 * Paths stay relative to the repository root on purpose: `scope.snapshotFile` and the
 * applicationHost.config locations are printed in the reports and must not leak the checkout path.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAudit } from '../../../src/analyze/audit.js';
import { fingerprint } from '../../../src/analyze/fingerprint.js';
import { ruleMetadata, spnHolders } from '../../../src/cli/audit.js';
import { loadConfigFile, parseConfigText } from '../../../src/config/file.js';
import { readSnapshot } from '../../../src/directory/snapshot-io.js';
import { loadInventory } from '../../../src/iis/index.js';
import type { AuditResult } from '../../../src/model/audit.js';
import type { Snapshot } from '../../../src/model/directory.js';
import type { Finding } from '../../../src/model/finding.js';
import type { Inventory } from '../../../src/model/iis.js';
import { compareWithBaseline, parseBaseline } from '../../../src/report/baseline.js';
import { renderJson } from '../../../src/report/json.js';
import { applySuppressions, parseSuppressions } from '../../../src/report/suppress.js';
import type { RenderOptions, ReportAudit } from '../../../src/report/types.js';
import { readFixture } from './fixtures.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const EXAMPLE_SNAPSHOT = 'examples/contoso.snapshot.json';
export const EXAMPLE_CONFIG = 'examples/spnaudit.yaml';
/** The report time of every committed report built from the example (a day after collection). */
export const EXAMPLE_GENERATED_AT = new Date('2026-11-23T08:00:00.000Z');

export interface ExampleAudit {
  snapshot: Snapshot;
  inventory: Inventory;
  result: AuditResult;
  /** What `spnaudit audit --snapshot examples/contoso.snapshot.json` passes to the renderers. */
  options: RenderOptions;
}

function requireRepoRoot(): void {
  // The inventory prints applicationHost.config paths relative to the working directory.
  if (path.resolve(process.cwd()) !== path.resolve(REPO_ROOT)) {
    throw new Error(`run the report tests from the repository root (${REPO_ROOT}), not ${process.cwd()}: report paths are relative to it`);
  }
}

/**
 * The example audit as `spnaudit audit --snapshot examples/contoso.snapshot.json --config
 * examples/spnaudit.yaml` computes it on EXAMPLE_GENERATED_AT (the command judges the directory as of
 * the snapshot's collectedAt, and stamps the report with the clock).
 */
export async function exampleAudit(mutateSnapshot?: (snapshot: Snapshot) => void): Promise<ExampleAudit> {
  requireRepoRoot();
  const config = await loadConfigFile(EXAMPLE_CONFIG);
  const inventory = await loadInventory({ iisPaths: [], config });
  if (inventory.warnings.length > 0) throw new Error(`the example inventory has warnings: ${JSON.stringify(inventory.warnings)}`);
  const snapshot = await readSnapshot(EXAMPLE_SNAPSHOT);
  mutateSnapshot?.(snapshot);
  const result = runAudit(snapshot, inventory, {
    now: new Date(snapshot.collectedAt),
    generatedAt: EXAMPLE_GENERATED_AT,
    snapshotFile: EXAMPLE_SNAPSHOT,
  });
  const options: RenderOptions = { rules: ruleMetadata(), spnHolders: spnHolders(snapshot), snapshotFile: EXAMPLE_SNAPSHOT };
  return { snapshot, inventory, result, options };
}

/** A finding the baseline had and today's audit no longer produces. */
function fixedSince(ruleId: string, severity: Finding['severity'], subject: Finding['subject'], message: string): Finding {
  return {
    fingerprint: fingerprint(ruleId, [subject.spn ?? subject.account, subject.server, subject.site]),
    ruleId,
    severity,
    title: message,
    message,
    subject,
    evidence: {},
    fixes: [],
  };
}

/** Rules whose findings the baseline lacks, so today they are all `new`. */
export const NEW_SINCE_BASELINE_RULES = ['cname-binding', 'missing-spn', 'negotiate-disabled'] as const;

/**
 * Last month's audit, as a mutated copy of today's: the NEW_SINCE_BASELINE_RULES findings did not
 * exist yet; a duplicate SPN has been fixed since (resolved: it names no server or domain and today's
 * scope covers the baseline's); a finding on WEB04, which today's inventory no longer lists, cannot
 * be called resolved (not checked). Returned as JSON text, as `--baseline` reads it.
 */
export function exampleBaselineJson(today: AuditResult): string {
  const kept = today.findings.filter((f) => !(NEW_SINCE_BASELINE_RULES as readonly string[]).includes(f.ruleId));
  const gone = [
    fixedSince('duplicate-spn', 'error', { spn: 'HTTP/old-intranet.contoso.test' }, 'HTTP/old-intranet.contoso.test is registered on 2 accounts'),
    fixedSince('kernel-mode-preauth', 'info', { server: 'WEB04', site: 'Archive', appPool: 'ArchivePool' }, 'Kernel-mode authentication on WEB04/Archive'),
  ];
  const findings = [...kept, ...gone];
  const summary = { error: 0, warning: 0, info: 0 };
  for (const f of findings) summary[f.severity] += 1;
  const baseline: AuditResult = { ...today, generatedAt: '2026-10-23T08:00:00.000Z', summary, findings };
  return renderJson(baseline);
}

/** When the suppressions are evaluated (the report day). */
export const EXAMPLE_SUPPRESS_NOW = EXAMPLE_GENERATED_AT;

/**
 * The example audit with test/fixtures/reports/contoso-suppress.yaml applied and compared with
 * exampleBaselineJson: every status (new, unchanged, resolved, not checked, suppressed) appears.
 */
export async function annotatedExampleAudit(): Promise<ExampleAudit & { annotated: ReportAudit; warnings: string[] }> {
  const example = await exampleAudit();
  const config = parseConfigText(readFixture('contoso-suppress.yaml'), 'contoso-suppress.yaml');
  const suppressed = applySuppressions(example.result, parseSuppressions(config), EXAMPLE_SUPPRESS_NOW);
  const baseline = parseBaseline(exampleBaselineJson(example.result), 'baseline.json');
  return { ...example, annotated: compareWithBaseline(suppressed.result, baseline).result, warnings: suppressed.warnings };
}
