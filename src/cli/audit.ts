import { readFile } from 'node:fs/promises';
import { runAudit } from '../analyze/audit.js';
import type { RuleMeta } from '../analyze/types.js';
import { EXIT, UsageError } from '../errors.js';
import type { Snapshot } from '../model/directory.js';
import { SEVERITY_ORDER, type Severity } from '../model/finding.js';
import { UAC } from '../model/uac.js';
import {
  applySuppressions,
  compareWithBaseline,
  hasNewAtOrAbove,
  isReportFormat,
  parseBaseline,
  parseSuppressions,
  renderReport,
  REPORT_FORMATS,
  type ReportAudit,
  type ReportFormat,
  type SpnHolderSummary,
} from '../report/index.js';
import { rules as catalogue } from '../rules/index.js';
import type { AuditCliOptions } from './commands/audit.js';
import { loadAuditInputs, type AuditInputs } from './inputs.js';
import { loadConfigFile } from '../config/file.js';
import { resolveTicketSettings } from '../tickets/settings.js';
import { runTicketSync } from '../tickets/run.js';
import { useColor, writeOutput } from './output.js';

const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;

export function ruleMetadata(): RuleMeta[] {
  return catalogue.map(({ check: _check, ...meta }) => meta);
}

export function spnHolders(snapshot: Snapshot): SpnHolderSummary[] {
  const netbios = new Map(snapshot.domains.map((d) => [d.dnsName, d.netbiosName ?? d.dnsName]));
  return snapshot.accounts
    .filter((a) => a.servicePrincipalNames.length > 0)
    .map((a) => ({
      account: `${netbios.get(a.domain) ?? a.domain}\\${a.sAMAccountName}`,
      kind: a.kind,
      enabled: (a.userAccountControl & UAC.ACCOUNTDISABLE) === 0,
      spns: a.servicePrincipalNames,
    }));
}

function parseReports(specs: readonly string[], format: string): Array<{ format: ReportFormat; file: string | undefined }> {
  if (!isReportFormat(format)) throw new UsageError(`--format '${format}' is not one of ${REPORT_FORMATS.join(', ')}`);
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    const f = eq > 0 ? spec.slice(0, eq) : '';
    const file = eq > 0 ? spec.slice(eq + 1) : '';
    if (!isReportFormat(f) || file === '') throw new UsageError(`--report '${spec}' must be FORMAT=FILE with FORMAT one of ${REPORT_FORMATS.join(', ')}`);
    return { format: f, file };
  });
}

/** `spnaudit audit` (defined in commands/audit.ts, loaded only when it runs). */
export async function audit(opts: AuditCliOptions): Promise<number> {
  if (!(FAIL_ON as readonly string[]).includes(opts.failOn)) throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(', ')}`);
  if (opts.failOnNew && !opts.baseline) throw new UsageError('--fail-on-new needs --baseline <previous.json>');
  const outputs = [{ format: opts.format as ReportFormat, file: opts.output }, ...parseReports(opts.report, opts.format)];
  const baselineText = opts.baseline ? await readBaselineFile(opts.baseline) : null;

  // Ticket settings are checked before anything is collected: a typo fails in a second.
  const ticketSettings = opts.tickets ? resolveTicketSettings({}, opts.config ? await loadConfigFile(opts.config) : null) : null;
  const inputs = await loadAuditInputs(opts);
  let result = auditWithSuppressions(inputs);
  const diff = baselineText && opts.baseline ? compareWithBaseline(result, parseBaseline(baselineText, opts.baseline)) : null;
  if (diff) result = diff.result;

  const renderOptions = {
    rules: ruleMetadata(),
    spnHolders: spnHolders(inputs.snapshot),
    snapshotFile: inputs.snapshotFile ?? 'snapshot.json',
    quiet: opts.quiet ?? false,
  };
  for (const out of outputs) {
    const color = out.format === 'table' && !out.file && useColor(opts.color);
    await writeOutput(out.file, renderReport(out.format, result, { ...renderOptions, color }));
  }

  if (ticketSettings) {
    await runTicketSync(result, ticketSettings, { stdout: (t) => process.stderr.write(t), stderr: (t) => process.stderr.write(t) });
  }
  if (!result.scope.complete) {
    process.stderr.write('spnaudit: INCOMPLETE audit: the directory could not be read completely; findings may be missing (exit 4)\n');
    return EXIT.INCOMPLETE;
  }
  if (opts.failOn === 'never') return EXIT.OK;
  const threshold = opts.failOn as Severity;
  if (diff && opts.failOnNew) return hasNewAtOrAbove(diff, threshold) ? EXIT.FINDINGS : EXIT.OK;
  const failing = result.findings.some((f) => !f.suppression && SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[threshold]);
  return failing ? EXIT.FINDINGS : EXIT.OK;
}

/**
 * The audit every command reports on: rules judge the directory as of its collection (password ages,
 * expiry), so re-auditing an old snapshot gives the same findings; config suppressions are applied
 * and their expiry is judged against today (expired ones warn on stderr).
 */
export function auditWithSuppressions(inputs: AuditInputs, now: Date = new Date()): ReportAudit {
  const collectedAt = new Date(inputs.snapshot.collectedAt);
  const result: ReportAudit = runAudit(inputs.snapshot, inputs.inventory, { now: collectedAt, generatedAt: now, snapshotFile: inputs.snapshotFile });
  if (!inputs.config) return result;
  const outcome = applySuppressions(result, parseSuppressions(inputs.config), now);
  for (const w of outcome.warnings) process.stderr.write(`spnaudit: warning: ${w}\n`);
  return outcome.result;
}

async function readBaselineFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --baseline ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
