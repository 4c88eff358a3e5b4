import { fixAccount } from '../../analyze/context.js';
import { irregularSpns } from '../../analyze/irregular-spns.js';
import { makeFinding } from '../../analyze/findings.js';
import { manualFix, setspnRemove } from '../../analyze/fixes.js';
import { isProtectedMachineSpn, parseSpn, spnDefects, spnKey, type SpnDefect } from '../../analyze/spn.js';
import type { Rule, RuleContext } from '../../analyze/types.js';
import type { Account } from '../../model/directory.js';
import { SEVERITY_ORDER, type Finding, type Fix, type Severity } from '../../model/finding.js';
import { addSpnFix } from './shared.js';

/** The SPN the admin most likely meant, when it can be derived safely; null otherwise. */
export function correctedSpn(value: string): string | null {
  let candidate = value.trim();
  const url = /^(https?):\/\/([^/\s?#]+)\/?$/i.exec(candidate);
  if (url) candidate = `HTTP/${url[2]}`;
  const parsed = parseSpn(candidate);
  if (!parsed) return null;
  const cls = parsed.serviceClass.toLowerCase();
  const httpish = cls === 'http' || cls === 'https' || cls === 'www' || cls === 'w3svc';
  const serviceClass = cls === 'https' ? 'HTTP' : parsed.serviceClass;
  const host = parsed.host.replace(/\.+$/, '');
  if (host === '') return null;
  const port = httpish && (parsed.port === 80 || parsed.port === 443) ? null : parsed.port;
  const suffix = port !== null ? `:${port}` : parsed.instance !== null ? `:${parsed.instance}` : '';
  const fixed = `${serviceClass}/${host}${suffix}${parsed.serviceName !== null ? `/${parsed.serviceName}` : ''}`;
  return fixed === value ? null : fixed;
}

function fixesFor(ctx: RuleContext, account: Account, value: string, defects: SpnDefect[]): Fix[] {
  if (defects.every((d) => d.code === 'ip-literal')) {
    return [manualFix(`Keep ${value} only if clients reach this service by IP address with TryIPSPN enabled; otherwise remove it.`)];
  }
  const fixes: Fix[] = [];
  if (isProtectedMachineSpn(account.kind, value)) {
    fixes.push(manualFix(`${value} on ${ctx.displayName(account)} is a machine SPN: correct the computer's dNSHostName or name and let Windows re-register it rather than removing it by hand.`));
    return fixes;
  }
  fixes.push(setspnRemove(value, fixAccount(ctx, account)));
  const fixed = correctedSpn(value);
  if (fixed === null) {
    fixes.push(manualFix(`Register the intended SPN (class/host, e.g. HTTP/web.${account.domain}) on ${ctx.displayName(account)} if the service needs one.`));
    return fixes;
  }
  const forest = ctx.index.forestOf(account);
  const holders = ctx.index.holders(fixed, forest);
  if (holders.some((h) => h.account === account)) return fixes;
  const others = holders.filter((h) => h.account !== account);
  if (others.length > 0) {
    fixes.push(
      manualFix(
        `${fixed} already belongs to ${others.map((h) => ctx.displayName(h.account)).join(', ')}: decide which account must decrypt it before registering it on ${ctx.displayName(account)}.`,
      ),
    );
    return fixes;
  }
  fixes.push(addSpnFix(ctx, fixed, account));
  return fixes;
}

export const malformedSpn: Rule = {
  id: 'malformed-spn',
  severity: 'error',
  category: 'kerberos',
  title: 'Malformed SPN',
  why: 'Browsers request HTTP/<host> exactly; an SPN that is not parseable, carries whitespace, a trailing dot, the HTTPS class, a URL or a default port is never requested, so clients fall back to NTLM (and since KB5011233 some 3-part fallbacks are blocked). IP-literal SPNs only work for clients with TryIPSPN.',
  docs: 'docs/rules/malformed-spn.md',
  needsInventory: false,
  check(ctx) {
    const findings: Finding[] = [];
    // A value isCleanPlainSpn vouches for has no defect: only the others are judged.
    for (const { account, spn: value } of irregularSpns(ctx)) {
      const defects = spnDefects(value);
      if (defects.length === 0) continue;
      const severity = defects.reduce<Severity>((worst, d) => (SEVERITY_ORDER[d.severity] > SEVERITY_ORDER[worst] ? d.severity : worst), 'info');
      findings.push(
        makeFinding(malformedSpn, {
          severity,
          message: `${JSON.stringify(value)} on ${ctx.displayName(account)}: ${defects.map((d) => d.message).join('; ')}.`,
          subject: { account: ctx.displayName(account), accountGuid: account.objectGuid, spn: value },
          evidence: { defects: defects.map((d) => d.code), corrected: correctedSpn(value) },
          fixes: fixesFor(ctx, account, value, defects),
          // The exact stored value (not trimmed): " HTTP/x" and "HTTP/x " are different defects.
          key: [account.objectGuid, JSON.stringify(spnKey(value))],
        }),
      );
    }
    return findings;
  },
};
