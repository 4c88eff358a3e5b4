import { fixAccount } from '../../analyze/context.js';
import { appLocation, webEndpoints } from '../../analyze/endpoints.js';
import { makeFinding } from '../../analyze/findings.js';
import { appcmdSet, manualFix, setspnRemove } from '../../analyze/fixes.js';
import { isProtectedMachineSpn } from '../../analyze/spn.js';
import type { Rule } from '../../analyze/types.js';
import type { Finding, Fix } from '../../model/finding.js';
import { addSpnFix, aliasSideEffect, classicKernelModeIdentity, endpointKey, endpointSubject, intendedDecryptor, uniqueBy, WINDOWS_AUTH_SECTION } from './shared.js';

export const spnOnWrongAccount: Rule = {
  id: 'spn-on-wrong-account',
  severity: 'error',
  category: 'kerberos',
  title: 'The SPN belongs to another account than the one that decrypts the ticket',
  why: 'The KDC encrypts the service ticket for the SPN holder; the server tries to decrypt it with a different key and fails with KRB_AP_ERR_MODIFIED. Negotiate does not fall back to NTLM after a ticket was issued, so users see prompts and 401.1.',
  docs: 'docs/rules/spn-on-wrong-account.md',
  needsInventory: true,
  check(ctx) {
    const findings: Finding[] = [];
    const endpoints = uniqueBy(
      webEndpoints(ctx).filter((e) => e.negotiates && e.cnameChain.length === 0),
      endpointKey,
    );
    for (const e of endpoints) {
      if (e.resolution.via === 'none' || e.resolution.holders.length !== 1) continue;
      const holder = e.resolution.holders[0];
      const intended = intendedDecryptor(ctx, e);
      if (!holder || !intended.account || holder.account === intended.account) continue;
      // The pool identity holding the SPN under kernel mode is kernel-mode-needs-app-pool-credentials.
      if (classicKernelModeIdentity(ctx, e) === holder.account) continue;

      const holderName = ctx.displayName(holder.account);
      const intendedName = ctx.displayName(intended.account);
      const fixes: Fix[] = [];
      // Moving the SPN would break the other applications on this name that the holder decrypts for.
      const holderServes = webEndpoints(ctx).filter(
        (x) => x !== e && x.negotiates && x.expectedSpn.toLowerCase() === e.expectedSpn.toLowerCase() && intendedDecryptor(ctx, x).account === holder.account,
      );
      if (holderServes.length > 0) {
        const others = [...new Set(holderServes.map((x) => `${x.server.name} "${appLocation(x.site, x.application)}"`))].sort();
        fixes.push(
          manualFix(
            `${holderName} also decrypts ${e.expectedSpn} for ${others.join(', ')}, so moving the SPN would break those: run every application on ${e.host} as one identity, or give this one its own host name (see host-shared-by-identities).`,
          ),
        );
      } else if (e.resolution.via === 'explicit' && !isProtectedMachineSpn(holder.account.kind, holder.spn)) {
        fixes.push(setspnRemove(holder.spn, fixAccount(ctx, holder.account)));
        const afterRemoval = ctx.index.resolve(`host${e.expectedSpn.slice(e.expectedSpn.indexOf('/'))}`, e.forest);
        const aliasHolder = afterRemoval.holders.length === 1 ? afterRemoval.holders[0]?.account : undefined;
        if (aliasHolder !== intended.account) {
          const note = aliasHolder ? aliasSideEffect(e.expectedSpn, ctx.displayName(aliasHolder), intendedName) : undefined;
          fixes.push(addSpnFix(ctx, e.expectedSpn, intended.account, note));
        }
      } else {
        // The holder is a computer through HOST/ (or a machine SPN): never take it away from the machine.
        if (
          e.resolution.via === 'host-alias' &&
          holder.account === e.computer &&
          e.windowsAuth.useKernelMode &&
          e.windowsAuth.useAppPoolCredentials &&
          !intended.afterUseAppPoolCredentials
        ) {
          fixes.push(
            appcmdSet(e.server.name, appLocation(e.site, e.application), WINDOWS_AUTH_SECTION, 'useAppPoolCredentials', 'False', 'True', {
              note: `run on ${e.server.name}; HTTP.sys then decrypts with the computer key that ${e.resolution.hostSpn} already serves (delegation then runs as the computer)`,
            }),
          );
        }
        fixes.push(addSpnFix(ctx, e.expectedSpn, intended.account, aliasSideEffect(e.expectedSpn, holderName, intendedName)));
        fixes.push(manualFix(`Alternatively give the site its own host name (a DNS A record) and register HTTP/<new name> on ${intendedName}; never remove ${holder.spn} from ${holderName}.`));
      }
      const how = e.resolution.via === 'host-alias' ? `through the HOST alias (${holder.spn})` : `explicitly`;
      findings.push(
        makeFinding(spnOnWrongAccount, {
          message: `Browsers request ${e.expectedSpn} for ${e.host} on ${e.server.name} "${appLocation(e.site, e.application)}"; the KDC issues it for ${holderName} (${how}) but ${intendedName} must decrypt it${
            intended.afterUseAppPoolCredentials ? ' once useAppPoolCredentials is on' : ''
          }: KRB_AP_ERR_MODIFIED, 401.1.`,
          subject: endpointSubject(ctx, e, holder.account),
          evidence: { via: e.resolution.via, holder: holderName, decryptor: e.decryptor.name, intendedDecryptor: intendedName, decryptorReason: e.decryptor.reason },
          fixes,
          key: [holder.account.objectGuid, e.expectedSpn, e.server.name, e.site.name, e.application.path],
          location: e.bindings[0]?.pos ?? null,
        }),
      );
    }
    return findings;
  },
};
