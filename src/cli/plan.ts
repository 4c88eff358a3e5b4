import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runAudit } from '../analyze/audit.js';
import { EXIT, SpnauditError, UsageError, oneLine } from '../errors.js';
import type { Severity } from '../model/finding.js';
import { buildPlan, PlanRefusedError, renderPlanFiles, type Plan, type PlanFilters, type Shell } from '../remediate/index.js';
import { applySuppressions, parseSuppressions } from '../report/index.js';
import { jsonText } from '../report/escape.js';
import { rules as catalogue } from '../rules/index.js';
import { SEVERITIES, SHELLS, type PlanCliOptions } from './commands/plan.js';
import { loadAuditInputs } from './inputs.js';

function ruleList(flag: string, value: string | undefined): string[] {
  if (value === undefined) return [];
  const ids = value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  const known = new Set(catalogue.map((r) => r.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new UsageError(`${flag}: unknown rule id ${unknown.map((u) => `'${oneLine(u)}'`).join(', ')}`);
  return ids;
}

/** `spnaudit plan` (defined in commands/plan.ts, loaded only when it runs). */
export async function plan(opts: PlanCliOptions): Promise<number> {
  if (!(SHELLS as readonly string[]).includes(opts.shell)) throw new UsageError(`--shell must be one of ${SHELLS.join(', ')}, got '${oneLine(opts.shell)}'`);
  if (!(SEVERITIES as readonly string[]).includes(opts.minSeverity)) throw new UsageError(`--min-severity must be one of ${SEVERITIES.join(', ')}`);
  const filters: PlanFilters = {
    only: ruleList('--only', opts.only),
    exclude: ruleList('--exclude', opts.exclude),
    accounts: opts.account,
    hosts: opts.host,
    minSeverity: opts.minSeverity as Severity,
  };
  const shell = opts.shell as Shell;

  const inputs = await loadAuditInputs(opts);
  if (!inputs.snapshot.complete) {
    // A plan from a partial directory could miss the other holder of an SPN it moves.
    throw new SpnauditError('the directory snapshot is INCOMPLETE: refusing to plan changes from it (re-collect until it is complete)', EXIT.INCOMPLETE);
  }
  const now = new Date();
  const audit = runAudit(inputs.snapshot, inputs.inventory, { now, generatedAt: now, snapshotFile: inputs.snapshotFile });
  const suppressed = new Set<string>();
  if (inputs.config) {
    const outcome = applySuppressions(audit, parseSuppressions(inputs.config), now);
    for (const w of outcome.warnings) process.stderr.write(`spnaudit: warning: ${oneLine(w)}\n`);
    for (const f of outcome.result.findings) if (f.suppression) suppressed.add(f.fingerprint);
  }

  let built: Plan;
  try {
    built = buildPlan({ audit, snapshot: inputs.snapshot, inventory: inputs.inventory, filters, suppressed, now });
  } catch (err) {
    if (err instanceof PlanRefusedError) throw new SpnauditError(err.message, EXIT.USAGE);
    throw err;
  }
  const outcome = renderPlanFiles(built, shell);

  if (opts.json) {
    const { meta, ...rest } = built;
    process.stdout.write(jsonText({ shell, meta: { ...meta, pools: undefined }, ...rest, scripted: outcome.scripted, files: outcome.files.map((f) => f.name) }));
  }
  if (!opts.outDir) {
    const domain = outcome.files.find((f) => f.target === 'domain' && !f.rollback);
    if (!opts.json && domain) process.stdout.write(domain.content.replace(/^\ufeff/, ''));
    return EXIT.OK;
  }
  await mkdir(opts.outDir, { recursive: true });
  for (const f of outcome.files) await writeFile(path.join(opts.outDir, f.name), f.content);
  if (!opts.json) process.stdout.write(summary(built, outcome.files.map((f) => f.name), outcome.scripted.length, opts.outDir));
  return EXIT.OK;
}

function summary(p: Plan, files: string[], scripted: number, dir: string): string {
  const lines = [
    `plan: ${p.steps.length} step(s) for ${p.findings.length} finding(s): ${scripted} fully scripted, ${p.decisions.length} decision(s), ${p.review.length} item(s) for review`,
    `simulation: 0 duplicate-spn / 0 missing-spn on ${p.simulation.touchedSpns.length} touched SPN(s); ${p.simulation.resolved.length} finding(s) resolved; ${p.simulation.introduced.length} new`,
    ...p.simulation.introduced.map((i) => `  new after the plan: ${i.ruleId} ${i.fingerprint}: ${oneLine(i.message)}`),
    `wrote ${files.length} file(s) to ${dir}: ${files.join(', ')}`,
    'review every script before running it (PowerShell: -WhatIf; samba: SPNAUDIT_DRY_RUN=1)',
  ];
  return `${lines.join('\n')}\n`;
}
