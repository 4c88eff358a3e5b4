import { appLocation, webEndpoints, type WebEndpoint } from '../../analyze/endpoints.js';
import { makeFinding } from '../../analyze/findings.js';
import { appcmdSet, manualFix } from '../../analyze/fixes.js';
import type { Rule, RuleContext } from '../../analyze/types.js';
import type { Account } from '../../model/directory.js';
import type { Finding, Fix } from '../../model/finding.js';
import { addSpnFix, WINDOWS_AUTH_SECTION } from './shared.js';

/** Load-balanced names: the inventory's farms plus any host header bound on two or more servers. */
export function farmHostNames(ctx: RuleContext): Set<string> {
  const inv = ctx.inventory;
  const names = new Set<string>();
  if (!inv) return names;
  for (const f of inv.farms) names.add(f.name.toLowerCase());
  const serversByHost = new Map<string, Set<string>>();
  for (const s of inv.servers) {
    for (const site of s.sites) {
      for (const b of site.bindings) {
        const h = (b.host ?? '').toLowerCase();
        if (!b.isHttp || h === '') continue;
        const set = serversByHost.get(h) ?? new Set<string>();
        set.add(s.name.toLowerCase());
        serversByHost.set(h, set);
      }
    }
  }
  for (const [h, servers] of serversByHost) if (servers.size > 1) names.add(h);
  return names;
}

interface NodeState {
  endpoint: WebEndpoint;
  identity: Account | null;
  settings: string;
}

function nodeState(ctx: RuleContext, e: WebEndpoint): NodeState {
  const pool = e.appPool;
  const identity = pool?.identityType === 'SpecificUser' && pool.userName ? (ctx.findAccount(pool.userName, e.server.domain) ?? null) : null;
  const who = pool ? (pool.identityType === 'SpecificUser' ? `SpecificUser ${identity ? ctx.displayName(identity) : (pool.userName ?? '')}` : pool.identityType) : 'no pool';
  const w = e.windowsAuth;
  const settings = `${who}; useKernelMode=${w.useKernelMode}; useAppPoolCredentials=${w.useAppPoolCredentials}; providers=${w.providers.join(',')}`;
  return { endpoint: e, identity, settings };
}

export const farmInconsistentIdentity: Rule = {
  id: 'farm-inconsistent-identity',
  severity: 'error',
  category: 'iis',
  title: 'Load-balanced name served with different identities or settings, or decrypted by computer accounts',
  why: 'Every node behind a load-balanced name receives tickets for the one account holding HTTP/<name>. Nodes that decrypt with another account (a different pool identity, or their own computer account through kernel mode or a machine identity) fail with 401.1, so users see intermittent prompts depending on the node the balancer picks.',
  docs: 'docs/rules/farm-inconsistent-identity.md',
  needsInventory: true,
  check(ctx) {
    const farms = farmHostNames(ctx);
    const declared = new Set((ctx.inventory?.farms ?? []).map((f) => f.name.toLowerCase()));
    // Names that reach exactly the same applications are one farm (intranet and intranet.contoso.test).
    const bySignature = new Map<string, { names: Set<string>; endpoints: WebEndpoint[] }>();
    for (const name of farms) {
      const eps = webEndpoints(ctx).filter((e) => e.windowsAuth.enabled && (e.host === name || e.canonicalHost === name));
      if (eps.length === 0) continue;
      for (const path of [...new Set(eps.map((e) => e.application.path.toLowerCase()))]) {
        const forPath = eps.filter((e) => e.application.path.toLowerCase() === path);
        const signature = [path, ...[...new Set(forPath.map((e) => `${e.server.name}|${e.site.name}`.toLowerCase()))].sort()].join('\u0000');
        const group = bySignature.get(signature) ?? { names: new Set<string>(), endpoints: [] };
        group.names.add(name);
        group.endpoints.push(...forPath);
        bySignature.set(signature, group);
      }
    }

    const findings: Finding[] = [];
    for (const [signature, group] of [...bySignature].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const names = [...group.names].sort((a, b) => Number(declared.has(b)) - Number(declared.has(a)) || b.length - a.length || a.localeCompare(b));
      const name = names[0];
      if (!name) continue;
      // One state per server (the first endpoint of the representative name, else any).
      const perServer = new Map<string, NodeState>();
      for (const e of group.endpoints.filter((x) => x.host === name || x.canonicalHost === name).concat(group.endpoints)) {
        const k = e.server.name.toLowerCase();
        if (!perServer.has(k)) perServer.set(k, nodeState(ctx, e));
      }
      const nodes = [...perServer.values()].sort((a, b) => a.endpoint.server.name.localeCompare(b.endpoint.server.name));
      const first = nodes[0]?.endpoint;
      if (!first) continue;
      const distinctSettings = new Set(nodes.map((n) => n.settings));
      const computerNodes = nodes.filter((n) => n.endpoint.decryptor.kind === 'computer');
      const inconsistent = distinctSettings.size > 1;
      if (!inconsistent && computerNodes.length === 0) continue;

      // The identity the farm should converge on: a domain identity that already holds the SPN, else the most used one.
      const spn = first.expectedSpn;
      const holders = first.resolution.via === 'explicit' ? first.resolution.holders.map((h) => h.account) : [];
      const candidates = nodes.map((n) => n.identity).filter((a): a is Account => a !== null && a.kind !== 'computer');
      const counts = new Map<Account, number>();
      for (const a of candidates) counts.set(a, (counts.get(a) ?? 0) + 1);
      const target =
        candidates.find((a) => holders.includes(a)) ??
        [...counts].sort(([a, x], [b, y]) => y - x || ctx.displayName(a).localeCompare(ctx.displayName(b)))[0]?.[0] ??
        null;

      const fixes: Fix[] = [];
      if (target) {
        const targetName = ctx.displayName(target);
        for (const n of nodes) {
          const e = n.endpoint;
          const location = appLocation(e.site, e.application);
          if (n.identity !== target) {
            fixes.push(manualFix(`On ${e.server.name}, run application pool "${e.appPool?.name ?? '?'}" as ${targetName} (identityType SpecificUser), like the other nodes.`));
          }
          if (e.windowsAuth.useKernelMode && !e.windowsAuth.useAppPoolCredentials) {
            fixes.push(appcmdSet(e.server.name, location, WINDOWS_AUTH_SECTION, 'useAppPoolCredentials', 'True', 'False'));
          }
        }
        if (!holders.includes(target)) {
          if (first.resolution.via === 'none') fixes.push(addSpnFix(ctx, spn, target));
          else fixes.push(manualFix(`${spn} must belong to ${targetName}: move it there from ${first.resolution.holders.map((h) => ctx.displayName(h.account)).join(', ')} (see spn-on-wrong-account / duplicate-spn).`));
        }
      } else {
        fixes.push(
          manualFix(
            `Run the farm's application pool on every node as one domain identity (preferably a gMSA) with useAppPoolCredentials=True, and register ${spn} on that identity: the nodes' computer accounts cannot all hold the same SPN.`,
          ),
        );
      }

      const reasons: string[] = [];
      if (inconsistent) reasons.push(`the nodes differ: ${nodes.map((n) => `${n.endpoint.server.name} (${n.settings})`).join('; ')}`);
      if (computerNodes.length > 0) {
        reasons.push(`${computerNodes.map((n) => n.endpoint.server.name).join(', ')} decrypt${computerNodes.length === 1 ? 's' : ''} with ${computerNodes.length === 1 ? 'its' : 'their'} computer account, which cannot share ${spn} with the other nodes`);
      }
      const sites = [...new Set(nodes.map((n) => appLocation(n.endpoint.site, n.endpoint.application)))];
      findings.push(
        makeFinding(farmInconsistentIdentity, {
          message: `Load-balanced name ${name}: ${reasons.join('; and ')}.`,
          subject: { spn, host: name, ...(sites.length === 1 ? { site: sites[0] } : {}) },
          evidence: {
            names,
            nodes: nodes.map((n) => ({ server: n.endpoint.server.name, site: appLocation(n.endpoint.site, n.endpoint.application), settings: n.settings, decryptor: n.endpoint.decryptor.name })),
            target: target ? ctx.displayName(target) : null,
          },
          fixes,
          key: [name, signature.split('\u0000')[0]],
        }),
      );
    }
    return findings;
  },
};
