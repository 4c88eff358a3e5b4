import { fixAccount } from '../../analyze/context.js';
import { makeFinding } from '../../analyze/findings.js';
import { manualFix, setspnRemove } from '../../analyze/fixes.js';
import { irregularSpns } from '../../analyze/irregular-spns.js';
import { isHttpClass, parseSpn, spnDefects } from '../../analyze/spn.js';
import type { Rule } from '../../analyze/types.js';
import type { Finding, Fix } from '../../model/finding.js';
import { addSpnFix } from './shared.js';

const PORT_POLICY = 'clients include the port only with the EnableAuthNegotiatePort policy (Edge/Chrome) or FEATURE_INCLUDE_PORT_IN_SPN_KB908209 (IE)';

export const portInSpn: Rule = {
  id: 'port-in-spn',
  severity: 'warning',
  category: 'kerberos',
  title: 'HTTP SPN with a port browsers do not request',
  why: 'Browsers omit the port when they build HTTP/<host> unless a client policy says otherwise, so an SPN with a non-default port is never requested; when it is the only SPN for the name, clients fall back to NTLM, or get a ticket for whoever holds the port-less name (401.1).',
  docs: 'docs/rules/port-in-spn.md',
  needsInventory: false,
  check(ctx) {
    // With inventory evidence that browsers include the port, such SPNs are what they request.
    if (ctx.inventory?.browsersIncludePort) return [];
    const findings: Finding[] = [];
    // A value isCleanPlainSpn vouches for has no port: only the others can be this finding.
    for (const { account, spn } of irregularSpns(ctx)) {
      const forest = ctx.index.forestOf(account);
      const p = parseSpn(spn);
      if (!p || !isHttpClass(p.serviceClass) || p.port === null || p.serviceName !== null) continue;
      // :80 and :443 are malformed-spn's finding.
      if (spnDefects(spn).some((d) => d.code === 'default-port')) continue;
      const portless = `${p.serviceClass}/${p.host}`;
      const r = ctx.index.resolve(portless, forest);
      const name = ctx.displayName(account);
      const own = r.holders.length === 1 && r.holders[0]?.account === account;
      const fixes: Fix[] = [];
      let message: string;
      let severity: 'warning' | 'info';
      if (own) {
        severity = 'info';
        message = `${spn} on ${name} is never requested (${PORT_POLICY}); ${portless} already resolves to ${name}.`;
        fixes.push(setspnRemove(spn, fixAccount(ctx, account), { note: 'only if no client is configured to include the port' }));
      } else if (r.via === 'none') {
        severity = 'warning';
        message = `${spn} on ${name} is never requested (${PORT_POLICY}) and nobody holds ${portless}: browsers fall back to NTLM.`;
        fixes.push(addSpnFix(ctx, portless, account));
        fixes.push(manualFix(`Alternatively deploy EnableAuthNegotiatePort (Edge/Chrome) or FEATURE_INCLUDE_PORT_IN_SPN_KB908209 (IE) to every client so they request ${spn}.`));
      } else {
        severity = 'warning';
        const others = r.holders.map((h) => ctx.displayName(h.account)).sort().join(', ');
        message = `${spn} on ${name} is never requested (${PORT_POLICY}); browsers request ${portless}, which belongs to ${others}${r.via === 'host-alias' ? ` through ${r.hostSpn}` : ''}: 401.1 if ${name} must decrypt.`;
        fixes.push(
          manualFix(
            `Give the site on port ${p.port} its own host name and register HTTP/<new name> on ${name}, or deploy EnableAuthNegotiatePort / FEATURE_INCLUDE_PORT_IN_SPN_KB908209 to every client; do not take ${portless} from ${others}.`,
          ),
        );
      }
      findings.push(
        makeFinding(portInSpn, {
          severity,
          message,
          subject: { account: name, accountGuid: account.objectGuid, spn },
          evidence: { portless, portlessHolders: r.holders.map((h) => ctx.displayName(h.account)), via: r.via },
          fixes,
          key: [account.objectGuid, spn],
        }),
      );
    }
    return findings;
  },
};
