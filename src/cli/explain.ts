import { createRuleContext } from '../analyze/context.js';
import { explainUrl, type Explanation } from '../analyze/explain.js';
import { EXIT, UsageError, oneLine } from '../errors.js';
import type { VerdictKind } from '../model/audit.js';
import { jsonText } from '../report/escape.js';
import type { ExplainCliOptions } from './commands/explain.js';
import { loadAuditInputs } from './inputs.js';
import { writeOutput } from './output.js';

/** `spnaudit explain` (defined in commands/explain.ts, loaded only when it runs). */
export async function explainCommand(url: string, opts: ExplainCliOptions): Promise<void> {
  if (opts.format !== 'text' && opts.format !== 'json') throw new UsageError(`--format must be text or json, got '${opts.format}'`);
  const inputs = await loadAuditInputs(opts);
  const ctx = createRuleContext(inputs.snapshot, inputs.inventory, { now: new Date(inputs.snapshot.collectedAt) });
  const explanation = explainUrl(url, ctx);
  await writeOutput(undefined, opts.format === 'json' ? jsonText(explanation) : renderExplanation(explanation));
  if (!inputs.snapshot.complete) {
    process.stderr.write('spnaudit: INCOMPLETE snapshot: the directory was not read completely; this explanation may be wrong (exit 4)\n');
    process.exitCode = EXIT.INCOMPLETE;
  } else {
    process.exitCode = explanation.findings.some((f) => f.severity === 'error') ? EXIT.FINDINGS : EXIT.OK;
  }
}

const VERDICT_TEXT: Record<VerdictKind, string> = {
  'kerberos-ok': 'Kerberos OK',
  'ntlm-fallback': 'NTLM fallback',
  'failure-401': 'FAILS with 401',
  'kerberos-not-tried': 'Kerberos never tried',
};

/** The one screen an admin needs in an outage. Every value from AD/config is flattened to one line. */
export function renderExplanation(e: Explanation): string {
  const v = oneLine;
  const lines: string[] = [];
  lines.push(`URL               ${v(e.url)}`);
  if (e.cnameChain.length > 1) lines.push(`DNS               ${v(e.cnameChain.join(' -> '))} (CNAME: the browser uses the canonical name)`);
  lines.push(`Browser requests  ${v(e.expectedSpn)}`);
  if (e.resolution.holders.length === 0) {
    lines.push('Held by           nobody -> the KDC answers "principal unknown"; the browser falls back to NTLM');
  } else {
    const via = e.resolution.via === 'host-alias' ? ` (through the HOST alias ${v(e.resolution.hostSpn ?? '')})` : '';
    lines.push(`Held by           ${e.resolution.holders.map((h) => `${v(h.account)} [${h.kind}]`).join(', ')}${via}`);
    if (e.resolution.holders.length > 1) lines.push('                  DUPLICATE: the KDC cannot choose; Kerberos fails (KDC event 11)');
  }
  for (const ep of e.endpoints) {
    lines.push('');
    lines.push(`${v(ep.server)} / ${v(ep.site)}${ep.application === '/' ? '' : v(ep.application)}  (pool ${v(ep.appPool ?? '-')})`);
    lines.push(`  decrypts with   ${ep.decryptor.account ? v(ep.decryptor.account) : 'nobody'} - ${v(ep.decryptor.reason)}`);
    lines.push(`  verdict         ${VERDICT_TEXT[ep.verdict.verdict]}`);
    for (const r of ep.verdict.reasons) lines.push(`    - ${v(r)}`);
  }
  for (const note of e.notes) lines.push('', `Note: ${v(note)}`);
  if (e.findings.length > 0) {
    lines.push('', `Findings (${e.findings.length}):`);
    for (const f of e.findings) {
      lines.push(`  [${f.severity}] ${f.ruleId}: ${v(f.message)}`);
      for (const fix of f.fixes) lines.push(`      fix: ${v(fix.command)}${fix.note ? `   (${v(fix.note)})` : ''}`);
    }
  } else {
    lines.push('', 'No findings concern this URL.');
  }
  return lines.join('\n');
}
