/**
 * `spnaudit explain <url>`: for one URL, the SPN the browser requests, who holds it and how, which
 * account decrypts, the verdict with its reasons, and the findings (with fixes) that concern it.
 * Returns data; the CLI prints it.
 */
import { UsageError, oneLine } from '../errors.js';
import type { Verdict } from '../model/audit.js';
import type { Finding } from '../model/finding.js';
import { rules as catalogue } from '../rules/index.js';
import { runRules } from './audit.js';
import { appLocation, cnameChain, webEndpoints, type DecryptorKind, type WebEndpoint } from './endpoints.js';
import { formatSpn, spnKey } from './spn.js';
import type { Resolution, Rule, RuleContext } from './types.js';
import { verdictFor } from './verdict.js';

export interface ExplainedHolder {
  account: string;
  objectGuid: string;
  kind: string;
  /** The SPN value as stored on the account (HTTP/x, or HOST/x for the alias). */
  spn: string;
}

export interface ExplainedEndpoint {
  server: string;
  site: string;
  application: string;
  appPool: string | null;
  decryptor: { kind: DecryptorKind; account: string | null; reason: string };
  verdict: Verdict;
}

export interface Explanation {
  url: string;
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** host after CNAME resolution (the inventory's DNS facts). */
  canonicalHost: string;
  cnameChain: string[];
  /** The SPN the browser requests. */
  expectedSpn: string;
  forest: string | null;
  resolution: { via: Resolution['via']; hostSpn: string | null; holders: ExplainedHolder[] };
  /** IIS applications bound to this host and port (empty without IIS input or when none matches). */
  endpoints: ExplainedEndpoint[];
  findings: Finding[];
  notes: string[];
}

/** A URL the admin typed that cannot be explained: a usage error (exit 2), one line. */
export class ExplainUrlError extends UsageError {}

/** Parses what an admin pastes: a URL, or a bare host[:port][/path]. */
export function parseTargetUrl(raw: string): { url: string; scheme: 'http' | 'https'; host: string; port: number; path: string } {
  const text = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new ExplainUrlError(oneLine(`not a URL: ${JSON.stringify(raw)} (expected e.g. https://intranet.contoso.test/)`));
  }
  const scheme = u.protocol.replace(/:$/, '').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') throw new ExplainUrlError(`only http:// and https:// URLs use Kerberos over HTTP, got ${scheme}://`);
  const host = u.hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === '') throw new ExplainUrlError(oneLine(`the URL has no host name: ${JSON.stringify(raw)}`));
  const port = u.port === '' ? (scheme === 'https' ? 443 : 80) : Number(u.port);
  return { url: u.toString(), scheme, host, port, path: u.pathname || '/' };
}

function pathMatches(appPath: string, urlPath: string): boolean {
  const a = appPath.toLowerCase().replace(/\/$/, '');
  const p = urlPath.toLowerCase();
  return a === '' || p === a || p.startsWith(`${a}/`);
}

/** Endpoints serving this host:port; of a site's applications only the deepest one matching the path. */
function matchingEndpoints(ctx: RuleContext, host: string, port: number, path: string): WebEndpoint[] {
  const candidates = webEndpoints(ctx).filter((e) => e.host === host && e.bindings.some((b) => b.port === port));
  const bySite = new Map<string, WebEndpoint[]>();
  for (const e of candidates) {
    const key = `${e.server.name}\u0000${e.site.name}`.toLowerCase();
    bySite.set(key, [...(bySite.get(key) ?? []), e]);
  }
  const out: WebEndpoint[] = [];
  for (const list of bySite.values()) {
    const matching = list.filter((e) => pathMatches(e.application.path, path));
    const deepest = Math.max(...matching.map((e) => e.application.path.length));
    out.push(...matching.filter((e) => e.application.path.length === deepest));
  }
  return out;
}

function isRelevant(f: Finding, spnKeys: Set<string>, host: string, accounts: Set<string>, sites: Set<string>): boolean {
  const s = f.subject;
  if (s.spn && spnKeys.has(spnKey(s.spn))) return true;
  if (s.host && s.host.toLowerCase() === host) return true;
  if (s.server && s.site && sites.has(`${s.server}\u0000${s.site}`.toLowerCase())) return true;
  return !!s.accountGuid && accounts.has(s.accountGuid);
}

export function explainUrl(rawUrl: string, ctx: RuleContext, opts: { rules?: readonly Rule[] } = {}): Explanation {
  const target = parseTargetUrl(rawUrl);
  const notes: string[] = [];
  const endpoints = matchingEndpoints(ctx, target.host, target.port, target.path);

  let expectedSpn: string;
  let canonicalHost: string;
  let chain: string[];
  let forest: string | null;
  const first = endpoints[0];
  if (first) {
    expectedSpn = first.expectedSpn;
    canonicalHost = first.canonicalHost;
    chain = first.cnameChain;
    forest = first.forest;
  } else {
    chain = cnameChain(ctx.inventory?.cnames ?? {}, target.host);
    canonicalHost = chain[chain.length - 1] ?? target.host;
    const includePort = ctx.inventory?.browsersIncludePort === true && target.port !== 80 && target.port !== 443;
    expectedSpn = formatSpn('HTTP', canonicalHost, includePort ? target.port : null);
    forest = ctx.forests[0]?.rootDomain.toLowerCase() ?? ctx.domains[0]?.forest.toLowerCase() ?? null;
    notes.push(
      ctx.inventory
        ? `No IIS site in the inventory is bound to ${target.host}:${target.port}; the decrypting account and verdict are unknown.`
        : 'No IIS input was given: only the directory side (who holds the SPN) can be explained.',
    );
  }
  if (endpoints.length > 1) {
    const servers = new Set(endpoints.map((e) => e.server.name));
    if (servers.size > 1) notes.push(`${target.host} is served by ${servers.size} servers (${[...servers].sort().join(', ')}): each must decrypt with the SPN holder's key.`);
  }

  const resolution = forest !== null ? ctx.index.resolve(expectedSpn, forest) : ({ via: 'none', holders: [] } as Resolution);
  const holders: ExplainedHolder[] = resolution.holders
    .map((h) => ({ account: ctx.displayName(h.account), objectGuid: h.account.objectGuid, kind: h.account.kind, spn: h.spn }))
    .sort((a, b) => a.account.localeCompare(b.account));
  if (resolution.via === 'host-alias') notes.push(`Nobody holds ${expectedSpn} explicitly; the KDC uses ${resolution.hostSpn} through the sPNMappings HOST alias.`);

  const { findings: all } = runRules(ctx, opts.rules ?? catalogue);
  const spnKeys = new Set([spnKey(expectedSpn), ...(resolution.via === 'host-alias' ? [spnKey(resolution.hostSpn)] : [])]);
  if (chain.length > 0) spnKeys.add(spnKey(formatSpn('HTTP', target.host)));
  const accounts = new Set<string>([
    ...resolution.holders.map((h) => h.account.objectGuid),
    ...endpoints.map((e) => e.decryptor.account?.objectGuid).filter((g): g is string => !!g),
  ]);
  const sites = new Set(endpoints.map((e) => `${e.server.name}\u0000${appLocation(e.site, e.application)}`.toLowerCase()));
  const findings = all.filter((f) => isRelevant(f, spnKeys, target.host, accounts, sites));

  return {
    url: target.url,
    scheme: target.scheme,
    host: target.host,
    port: target.port,
    canonicalHost,
    cnameChain: chain,
    expectedSpn,
    forest,
    resolution: { via: resolution.via, hostSpn: resolution.via === 'host-alias' ? resolution.hostSpn : null, holders },
    endpoints: endpoints.map((e) => ({
      server: e.server.name,
      site: e.site.name,
      application: e.application.path,
      appPool: e.appPool?.name ?? null,
      decryptor: { kind: e.decryptor.kind, account: e.decryptor.name, reason: e.decryptor.reason },
      verdict: verdictFor(ctx, e),
    })),
    findings,
    notes,
  };
}
