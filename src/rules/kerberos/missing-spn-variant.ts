import { bindingHostNames } from '../../analyze/endpoints.js';
import { makeFinding } from '../../analyze/findings.js';
import { manualFix } from '../../analyze/fixes.js';
import { isCleanPlainSpn, isHttpClass, isIpLiteral, parseSpn, spnDefects, spnKey } from '../../analyze/spn.js';
import type { Rule, RuleContext } from '../../analyze/types.js';
import type { Account } from '../../model/directory.js';
import type { Inventory } from '../../model/iis.js';
import type { Finding, Fix } from '../../model/finding.js';
import { addSpnFix, holdersSorted } from './shared.js';

interface Variant {
  existing: string;
  missing: string;
  missingHost: string;
}

/**
 * The other form of each HTTP-class SPN the account holds, where the short name is the first label
 * of an FQDN in a domain in scope, and only where that form does not already resolve to the account.
 */
function variantsOf(ctx: RuleContext, account: Account, domains: readonly string[]): Variant[] {
  const out: Variant[] = [];
  const forest = ctx.index.forestOf(account);
  for (const spn of account.servicePrincipalNames) {
    // Most SPNs are HOST/, TERMSRV/, MSSQLSvc/...: skip them before parsing (millions in a large forest).
    if (!mayBeHttpClass(spn)) continue;
    let serviceClass: string;
    let host: string;
    let port: string;
    if (isCleanPlainSpn(spn)) {
      // class/host with no port, no defect and no IP literal (see isCleanPlainSpn): no parse needed.
      const slash = spn.indexOf('/');
      serviceClass = spn.slice(0, slash);
      host = spn.slice(slash + 1).toLowerCase();
      port = '';
    } else {
      if (spnDefects(spn).length > 0) continue;
      const p = parseSpn(spn);
      if (!p || !isHttpClass(p.serviceClass) || p.instance !== null || p.serviceName !== null || isIpLiteral(p.host)) continue;
      serviceClass = p.serviceClass;
      host = p.host.toLowerCase();
      port = p.port === null ? '' : `:${p.port}`;
    }
    const dot = host.indexOf('.');
    if (dot > 0) {
      if (!domains.includes(host.slice(dot + 1))) continue;
      const short = host.slice(0, dot);
      const missing = `${serviceClass}/${short}${port}`;
      // The usual case, both forms on the account: settled here, before any finding work.
      if (ctx.index.resolvesOnlyTo(missing, forest, account)) continue;
      out.push({ existing: spn, missing, missingHost: short });
    } else {
      if (domains.length === 0) continue;
      // Any FQDN form on the same account satisfies the short one.
      let satisfied = false;
      for (const d of domains) {
        if (ctx.index.resolvesOnlyTo(`${serviceClass}/${host}.${d}${port}`, forest, account)) {
          satisfied = true;
          break;
        }
      }
      if (satisfied) continue;
      const accountDomain = account.domain.toLowerCase();
      const preferred = `${host}.${domains.includes(accountDomain) ? accountDomain : domains[0]}`;
      out.push({ existing: spn, missing: `${serviceClass}/${preferred}${port}`, missingHost: preferred });
    }
  }
  return out;
}

/** The service class before the first "/" is one browsers use, compared without parsing or copying. */
function mayBeHttpClass(spn: string): boolean {
  const slash = spn.indexOf('/');
  return slash > 0 && slash <= 5 && isHttpClass(spn.slice(0, slash));
}

/** Names the IIS inventory shows browsers using (binding host headers, server names of all-names bindings, CNAMEs, farms), lower-cased. */
function namesInUse(inv: Inventory): Set<string> {
  const names = new Set<string>(Object.keys(inv.cnames));
  for (const f of inv.farms) names.add(f.name.toLowerCase());
  for (const s of inv.servers) {
    for (const site of s.sites) {
      for (const b of site.bindings) {
        // The same names the endpoints are built from (the server's own names for an empty host header).
        if (b.isHttp) for (const { host } of bindingHostNames(s, b)) names.add(host);
      }
    }
  }
  return names;
}

export const missingSpnVariant: Rule = {
  id: 'missing-spn-variant',
  severity: 'warning',
  category: 'kerberos',
  title: 'SPN registered with only the FQDN or only the short name',
  why: 'Browsers ask for the name the user typed (after DNS canonicalization); Internet Explorer falls back to the NetBIOS name when its DNS cache expires, so users get prompted after about 30 minutes (KB 871179) or fall back to NTLM.',
  docs: 'docs/rules/missing-spn-variant.md',
  needsInventory: false,
  check(ctx) {
    const findings: Finding[] = [];
    const domains = ctx.domains.map((d) => d.dnsName.toLowerCase());
    const inUse = ctx.inventory ? namesInUse(ctx.inventory) : new Set<string>();
    for (const account of ctx.snapshot.accounts) {
      const variants = variantsOf(ctx, account, domains);
      if (variants.length === 0) continue;
      const forest = ctx.index.forestOf(account);
      const seen = new Set<string>();
      const unused: Variant[] = [];
      for (const v of variants) {
        const key = spnKey(v.missing);
        if (seen.has(key)) continue;
        seen.add(key);
        // A duplicated SPN is duplicate-spn's finding: its twin must follow the owner chosen there.
        if (ctx.index.holderCount(v.existing, forest) > 1) continue;
        const resolution = ctx.index.resolve(v.missing, forest);
        const others = holdersSorted(ctx, resolution.holders).filter((h) => h.account !== account);
        const used = inUse.has(v.missingHost);
        if (!used && others.length === 0) {
          unused.push(v);
          continue;
        }
        const severity = used ? 'warning' : 'info';
        let fixes: Fix[];
        let clash: string | null = null;
        if (others.length > 0) {
          const otherNames = others.map((h) => ctx.displayName(h.account)).join(', ');
          const held = resolution.via === 'host-alias' ? `${others[0]?.spn ?? resolution.hostSpn} (HOST alias)` : v.missing;
          clash = `${held} belongs to ${otherNames}`;
          fixes = [
            manualFix(
              `Do not register ${v.missing} on ${ctx.displayName(account)}: ${clash}, and taking it would send that machine's HTTP-class tickets to ${ctx.displayName(account)}. Have users use ${v.existing.slice(v.existing.indexOf('/') + 1)} (or give the service a distinct name).`,
            ),
          ];
        } else {
          fixes = [addSpnFix(ctx, v.missing, account)];
        }
        findings.push(
          makeFinding(missingSpnVariant, {
            severity,
            message: `${ctx.displayName(account)} holds ${v.existing} but not ${v.missing}${used ? `, and the IIS inventory shows ${v.missingHost} in use` : ''}.${clash ? ` ${clash}.` : ''}`,
            subject: { account: ctx.displayName(account), accountGuid: account.objectGuid, spn: v.existing },
            evidence: { missing: v.missing, nameInUse: used, clash },
            fixes,
            key: [account.objectGuid, key],
          }),
        );
      }
      if (unused.length > 0) findings.push(unusedVariantsFinding(ctx, account, unused));
    }
    return findings;
  },
};

/** How many setspn commands one grouped finding lists before pointing at its evidence for the rest. */
const MAX_LISTED_FIXES = 20;

/**
 * Variants nobody is known to use are informational; an account with many of them (thousands on
 * some service accounts) gets one finding listing them all, not one finding per SPN.
 */
function unusedVariantsFinding(ctx: RuleContext, account: Account, unused: Variant[]): Finding {
  const who = ctx.displayName(account);
  const first = unused[0]!;
  const message =
    unused.length === 1
      ? `${who} holds ${first.existing} but not ${first.missing}; no IIS site in scope uses ${first.missingHost}.`
      : `${who} holds ${unused.length} HTTP SPNs without their other form (short name or FQDN), e.g. ${first.existing} but not ${first.missing}; no IIS site in scope uses the missing names.`;
  const fixes: Fix[] = unused.slice(0, MAX_LISTED_FIXES).map((v) => addSpnFix(ctx, v.missing, account));
  if (unused.length > MAX_LISTED_FIXES) {
    fixes.push(manualFix(`Register the other ${unused.length - MAX_LISTED_FIXES} missing forms listed in this finding's evidence (missing[]) the same way, if users reach those names.`));
  }
  return makeFinding(missingSpnVariant, {
    severity: 'info',
    message,
    subject: { account: who, accountGuid: account.objectGuid },
    evidence: { missing: unused.map((v) => v.missing), count: unused.length, nameInUse: false },
    fixes,
    key: [account.objectGuid, 'unused-variants'],
  });
}
