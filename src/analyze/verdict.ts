/**
 * The Kerberos verdict per (server, site, application, host name): what happens when a browser on
 * the intranet opens the URL, with the chain of facts that leads there.
 */
import type { Verdict, VerdictKind } from '../model/audit.js';
import { appLocation, ntlmFallback, webEndpoints, type WebEndpoint } from './endpoints.js';
import type { RuleContext } from './types.js';

function fallback(e: WebEndpoint, why: string): { verdict: VerdictKind; reason: string } {
  return ntlmFallback(e.windowsAuth)
    ? { verdict: 'ntlm-fallback', reason: `${why}, so Negotiate falls back to NTLM (no delegation, no double hop)` }
    : { verdict: 'failure-401', reason: `${why}, and the providers (${e.windowsAuth.providers.join(', ')}) allow no NTLM fallback: 401` };
}

export function verdictFor(ctx: RuleContext, e: WebEndpoint): Verdict {
  const reasons: string[] = [];
  const location = appLocation(e.site, e.application);
  const holders = e.resolution.holders.map((h) => ctx.displayName(h.account)).sort();
  const done = (verdict: VerdictKind): Verdict => ({
    server: e.server.name,
    site: e.site.name,
    application: e.application.path,
    host: e.host,
    expectedSpn: e.expectedSpn,
    decryptingAccount: e.decryptor.name,
    holders,
    verdict,
    reasons,
  });

  if (e.cnameChain.length > 0) reasons.push(`${e.host} is a DNS alias (${e.cnameChain.join(' → ')}); browsers use the canonical name ${e.canonicalHost}`);
  if (e.fromEmptyHostHeader) reasons.push(`the binding has no host header, so ${e.server.name} answers to its own name ${e.host}`);
  reasons.push(
    `browsers request ${e.expectedSpn}${
      e.spnPort !== null ? ` (clients are configured to include port ${e.spnPort})` : ' (no port: browsers omit it unless a client policy says otherwise)'
    }`,
  );

  const w = e.windowsAuth;
  if (!w.enabled) {
    reasons.push(`Windows authentication is off for ${location}${e.application.auth.anonymous.enabled ? ' (anonymous access only)' : ''}`);
    return done('kerberos-not-tried');
  }
  if (e.application.auth.anonymous.enabled) {
    reasons.push(`anonymous authentication is also on for ${location}: the browser is never challenged, so Kerberos is not negotiated unless authorization denies anonymous users`);
    return done('kerberos-not-tried');
  }
  if (!e.negotiates) {
    reasons.push(`the Windows authentication providers are ${w.providers.join(', ') || '(none)'}: without Negotiate the browser is never offered Kerberos`);
    return done('kerberos-not-tried');
  }
  reasons.push(`Windows authentication with ${w.providers.join(', ')} is on for ${location}`);
  reasons.push(e.decryptor.reason);

  switch (e.resolution.via) {
    case 'explicit':
      reasons.push(`the KDC finds ${e.expectedSpn} on ${holders.join(', ')}`);
      break;
    case 'host-alias':
      reasons.push(`nobody holds ${e.expectedSpn} explicitly; through the sPNMappings HOST alias the KDC uses ${e.resolution.hostSpn} on ${holders.join(', ')}`);
      break;
    case 'none':
      break;
  }

  switch (e.match) {
    case 'ok':
      reasons.push(`the ticket is encrypted for ${e.decryptor.name}, the account that decrypts it`);
      return done('kerberos-ok');
    case 'missing': {
      const f = fallback(e, `nobody holds ${e.expectedSpn} or HOST/${e.expectedSpn.slice(e.expectedSpn.indexOf('/') + 1)}: the KDC answers KDC_ERR_S_PRINCIPAL_UNKNOWN`);
      reasons.push(f.reason);
      return done(f.verdict);
    }
    case 'duplicate': {
      const f = fallback(e, `${holders.length} accounts hold it (duplicate SPN): the KDC refuses to choose (KDC event 11)`);
      reasons.push(f.reason);
      return done(f.verdict);
    }
    case 'wrong-account':
      reasons.push(`the ticket is encrypted for ${holders.join(', ')} but ${e.decryptor.name} decrypts: KRB_AP_ERR_MODIFIED, 401.1 (Negotiate does not fall back to NTLM after a ticket was issued)`);
      return done('failure-401');
    case 'unknown-decryptor':
      reasons.push(`the decrypting account ${e.decryptor.name} is not in the snapshot (see identity-not-found): the pool cannot log on, or the account lives outside the audited scope`);
      return done('failure-401');
    case 'no-decryptor':
      if (e.resolution.via === 'none') {
        const f = fallback(e, `nobody holds ${e.expectedSpn} either`);
        reasons.push(f.reason);
        return done(f.verdict);
      }
      reasons.push(`the browser obtains a ticket for ${holders.join(', ')}, which this pool identity cannot accept: 401.1`);
      return done('failure-401');
  }
}

/** Verdicts for every endpoint, in inventory order. Empty without IIS input. */
export function verdicts(ctx: RuleContext): Verdict[] {
  return webEndpoints(ctx).map((e) => verdictFor(ctx, e));
}
