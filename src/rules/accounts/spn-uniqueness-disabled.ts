import { manualFix } from '../../analyze/fixes.js';
import { makeFinding } from '../../analyze/findings.js';
import type { Rule } from '../../analyze/types.js';
import type { Forest } from '../../model/directory.js';
import type { Finding, Fix, Severity } from '../../model/finding.js';
import { quotePowerShell } from '../../remediate/quote.js';
import { joinAnd } from './finding.js';

/** dSHeuristics position 21 (index 20): DoNotVerifyUPNAndOrSPNUniqueness, a bit field (MS-ADTS 3.1.1.5.1.3, 6.1.1.2.4.1.2). */
const UNIQUENESS_INDEX = 20;

const BITS: ReadonlyArray<{ bit: number; name: string; severity: Severity; effect: string }> = [
  { bit: 2, name: 'spn-uniqueness', severity: 'error', effect: 'SPN uniqueness checking is off, so DCs accept duplicate SPNs (KDC event 11, NTLM fallback or 401 for the affected names)' },
  { bit: 4, name: 'spn-alias', severity: 'warning', effect: 'the SPN alias check is off, so DCs accept HTTP/x on one account while HOST/x is on another' },
  { bit: 1, name: 'upn-uniqueness', severity: 'info', effect: 'UPN uniqueness checking is off (UPNs only, no SPN effect)' },
];

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

/** The 21st character as a number, or null when absent (default: all checks on) or not a hex digit. */
export function uniquenessFlags(dsHeuristics: string | null): number | null {
  if (dsHeuristics === null || dsHeuristics.length <= UNIQUENESS_INDEX) return null;
  const ch = dsHeuristics.charAt(UNIQUENESS_INDEX);
  return /^[0-9a-f]$/i.test(ch) ? parseInt(ch, 16) : null;
}

function directoryServiceDn(forest: Forest): string {
  return `CN=Directory Service,CN=Windows NT,CN=Services,${forest.configurationDn}`;
}

function resetFix(forest: Forest, current: string): Fix {
  // Every other character is kept: MS-ADTS requires unrelated heuristics to be preserved.
  const next = `${current.slice(0, UNIQUENESS_INDEX)}0${current.slice(UNIQUENESS_INDEX + 1)}`;
  const dn = quotePowerShell(directoryServiceDn(forest));
  const value = quotePowerShell(next);
  const server = quotePowerShell(forest.rootDomain);
  if (dn === null || value === null || server === null) {
    return manualFix('Command withheld: the dSHeuristics value or configuration DN contains characters that cannot be quoted safely; set the 21st character of dSHeuristics to 0 by hand (ADSI Edit).');
  }
  return manualFix(`Set-ADObject -Identity ${dn} -Replace @{dSHeuristics=${value}} -Server ${server}`, `sets the 21st character to 0 and keeps the others; current value ${current}; needs Enterprise Admins; run setspn -X -F afterwards to find duplicates that slipped in`);
}

export const spnUniquenessDisabledRule: Rule = {
  id: 'spn-uniqueness-disabled',
  severity: 'error',
  category: 'security',
  title: 'SPN uniqueness checks disabled in dSHeuristics',
  why:
    'The 21st character of the forest\'s dSHeuristics is a bit field: 2 turns off the SPN uniqueness check (DCs then accept duplicate SPNs, which break Kerberos for those names), 4 turns off the SPN alias check (HTTP/x on one account while HOST/x is on another), 1 turns off the UPN check.',
  docs: 'docs/rules/spn-uniqueness-disabled.md',
  needsInventory: false,
  check(ctx) {
    const findings: Finding[] = [];
    const forests = [...ctx.forests].sort((a, b) => a.rootDomain.toLowerCase().localeCompare(b.rootDomain.toLowerCase()));
    for (const forest of forests) {
      const flags = uniquenessFlags(forest.dsHeuristics);
      if (flags === null || forest.dsHeuristics === null) continue;
      const set = BITS.filter((b) => (flags & b.bit) !== 0);
      if (set.length === 0) continue;
      const severity = set.reduce<Severity>((worst, b) => (RANK[b.severity] > RANK[worst] ? b.severity : worst), 'info');
      const root = forest.rootDomain.toLowerCase();
      findings.push(
        makeFinding(spnUniquenessDisabledRule, {
          severity,
          message: `In forest ${root}, dSHeuristics is ${forest.dsHeuristics}; its 21st character ${forest.dsHeuristics.charAt(UNIQUENESS_INDEX)} means ${joinAnd(set.map((b) => b.effect))}.`,
          subject: { domain: root },
          evidence: { dsHeuristics: forest.dsHeuristics, flags, disabledChecks: set.map((b) => b.name) },
          fixes: [resetFix(forest, forest.dsHeuristics)],
          key: [root],
        }),
      );
    }
    return findings;
  },
};
